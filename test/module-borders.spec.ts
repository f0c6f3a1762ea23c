import { join } from 'node:path';
import { borderViolations, ImportEdge, readModuleGraph, unitOf } from './support/module-graph';

// What counts as a feature, as shared code and as the composition root is defined in support/module-graph.ts (unitOf).
describe('module borders', () => {
  const graph = readModuleGraph(join(__dirname, '..'));

  it('reads the real import graph (type-only imports and path aliases included)', () => {
    const edge = (from: string, to: string) => graph.edges.find((e) => e.from === from && e.to === to);
    expect(edge('src/users/users.repository.ts', 'src/common/factor-policy.record.ts')).toMatchObject({ typeOnly: true });
    expect(edge('src/auth-factors/auth-factors.service.ts', 'libs/database/src/index.ts')).toBeDefined();
    expect(graph.moduleExports).toContainEqual({ module: 'src/users/users.module.ts', name: 'UsersService', from: 'src/users/users.service.ts' });
    expect(graph.edges.length).toBeGreaterThan(300);
  });

  it("keeps every rule: no feature reaches into another's repositories or entities, no module exports them, shared code imports no feature, no import cycle", () => {
    expect(borderViolations(graph.edges, graph.moduleExports)).toEqual([]);
  });

  describe('the rules catch what they should', () => {
    const imports = (...pairs: [string, string, boolean?][]): ImportEdge[] => pairs.map(([from, to, typeOnly]) => ({ from, to, typeOnly: typeOnly ?? false }));

    it('names the units', () => {
      expect(unitOf('src/users/dto/add-human-user.dto.ts')).toEqual({ kind: 'feature', name: 'src/users' });
      expect(unitOf('src/common/validation.ts')).toEqual({ kind: 'shared', name: 'src/common' });
      expect(unitOf('libs/errors/src/index.ts')).toEqual({ kind: 'shared', name: 'libs/errors' });
      expect(unitOf('src/app.module.ts')).toEqual({ kind: 'root', name: 'src' });
    });

    it("refuses another feature's repository or entity, type-only too, and a module exporting a repository", () => {
      expect(
        borderViolations(
          imports(
            ['src/auth-factors/auth-factors.service.ts', 'src/users/users.repository.ts', true],
            ['src/grpc/user-admin.handler.ts', 'src/users/entities/deleted-user.entity.ts'],
            ['src/users/users.service.ts', 'src/users/users.repository.ts'],
            ['src/entities.ts', 'src/users/entities/deleted-user.entity.ts'],
          ),
          [{ module: 'src/users/users.module.ts', name: 'UsersRepository', from: 'src/users/users.repository.ts' }],
        ),
      ).toEqual([
        "imports another feature's repository (use its service or a port): src/auth-factors/auth-factors.service.ts -> src/users/users.repository.ts (type-only)",
        "imports another feature's entity (use its service or a port): src/grpc/user-admin.handler.ts -> src/users/entities/deleted-user.entity.ts",
        'a module exports a repository or entity: src/users/users.module.ts exports UsersRepository (src/users/users.repository.ts)',
      ]);
    });

    it('refuses shared code that imports a feature', () => {
      expect(
        borderViolations(
          imports(['src/common/object-details.mapper.ts', 'src/users/user.record.ts', true], ['libs/auth/src/index.ts', 'src/common/validation.ts']),
        ),
      ).toEqual([
        'shared code imports a feature: src/common/object-details.mapper.ts -> src/users/user.record.ts (type-only)',
        'a library imports src/: libs/auth/src/index.ts -> src/common/validation.ts',
      ]);
    });

    it('refuses a cycle between features, even through type-only imports of files that import nothing', () => {
      expect(
        borderViolations(
          imports(
            ['src/users/users.repository.ts', 'src/factor-policy/factor-policy.ts', true],
            ['src/factor-policy/factor-policy.service.ts', 'src/organizations/organizations.service.ts'],
            ['src/organizations/organizations.service.ts', 'src/users/user-access.service.ts'],
          ),
        ),
      ).toEqual([
        'import cycle between units: src/factor-policy -> src/organizations -> src/users -> src/factor-policy, through ' +
          'src/factor-policy/factor-policy.service.ts -> src/organizations/organizations.service.ts; ' +
          'src/organizations/organizations.service.ts -> src/users/user-access.service.ts; ' +
          'src/users/users.repository.ts -> src/factor-policy/factor-policy.ts (type-only)',
      ]);
    });

    it('refuses a cycle between files of one feature', () => {
      expect(borderViolations(imports(['src/users/a.ts', 'src/users/b.ts', true], ['src/users/b.ts', 'src/users/a.ts']))).toEqual([
        'import cycle between files: src/users/a.ts -> src/users/b.ts -> src/users/a.ts, through src/users/a.ts -> src/users/b.ts (type-only); src/users/b.ts -> src/users/a.ts',
      ]);
    });
  });
});
