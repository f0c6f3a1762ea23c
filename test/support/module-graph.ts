import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import ts from 'typescript';

/**
 * The import graph of the service's sources, read with the TypeScript compiler (the same resolution as `tsc`:
 * tsconfig's path aliases, `.js` specifiers under nodenext), and the border rules it must keep.
 *
 * Units, by where a file lives:
 * - a **feature** is a folder directly under `src/` (`src/users/`, `src/auth-factors/`, `src/grpc/`, ...), with
 *   all its subfolders (`dto/`, `entities/`);
 * - **shared** code is each library under `libs/` (`libs/errors`, ...) and `src/common/`: any feature may import
 *   it, and it imports no feature;
 * - the **composition root** is the files directly in `src/` (`app.module.ts`, `main.ts`, `entities.ts`, ...),
 *   which put the features together.
 */
export interface ImportEdge {
  /** Paths relative to the repository root, with `/`. */
  readonly from: string;
  readonly to: string;
  /** `import type`, or every name imported with `type`: gone after compilation, yet still a dependency. */
  readonly typeOnly: boolean;
}

export type Unit = { readonly kind: 'feature' | 'shared' | 'root'; readonly name: string };

/** The unit a file belongs to (see {@link ImportEdge}); undefined outside `src/` and `libs/`. */
export function unitOf(file: string): Unit | undefined {
  const parts = file.split('/');
  if (parts[0] === 'libs' && parts.length > 2) return { kind: 'shared', name: `libs/${parts[1]}` };
  if (parts[0] !== 'src') return undefined;
  if (parts.length === 2) return { kind: 'root', name: 'src' };
  if (parts[1] === 'common') return { kind: 'shared', name: 'src/common' };
  return { kind: 'feature', name: `src/${parts[1]}` };
}

/** A feature's private parts: its repositories and its entities (an entity never leaves its repository). */
export function isPrivateToFeature(file: string): boolean {
  return file.endsWith('.repository.ts') || file.split('/').includes('entities');
}

/** The data source lists every entity explicitly (no globs), so it alone may import other features' entities. */
const ENTITY_LIST = 'src/entities.ts';

/** Violations of the border rules, one readable line each; empty when the graph keeps them. */
export function borderViolations(edges: readonly ImportEdge[], moduleExports: readonly ModuleExport[] = []): string[] {
  const violations: string[] = [];
  const describe = (edge: ImportEdge) => `${edge.from} -> ${edge.to}${edge.typeOnly ? ' (type-only)' : ''}`;
  for (const edge of edges) {
    const from = unitOf(edge.from);
    const to = unitOf(edge.to);
    if (!from || !to || from.name === to.name) continue;
    if (from.kind === 'shared' && to.kind !== 'shared')
      violations.push(`shared code imports ${to.kind === 'root' ? 'the composition root' : 'a feature'}: ${describe(edge)}`);
    if (from.name.startsWith('libs/') && to.name === 'src/common') violations.push(`a library imports src/: ${describe(edge)}`);
    if (to.kind === 'feature' && isPrivateToFeature(edge.to) && !(edge.from === ENTITY_LIST && edge.to.includes('/entities/'))) {
      violations.push(`imports another feature's ${edge.to.includes('/entities/') ? 'entity' : 'repository'} (use its service or a port): ${describe(edge)}`);
    }
  }
  for (const exported of moduleExports) {
    if (isPrivateToFeature(exported.from))
      violations.push(`a module exports a repository or entity: ${exported.module} exports ${exported.name} (${exported.from})`);
  }
  const unitEdges = edges.flatMap((edge) => {
    const from = unitOf(edge.from)?.name;
    const to = unitOf(edge.to)?.name;
    return from && to && from !== to ? [{ from, to, via: describe(edge) }] : [];
  });
  for (const cycle of cyclesOf(unitEdges)) violations.push(`import cycle between units: ${cycle}`);
  for (const cycle of cyclesOf(edges.map((edge) => ({ from: edge.from, to: edge.to, via: describe(edge) }))))
    violations.push(`import cycle between files: ${cycle}`);
  return violations;
}

/** One cycle per strongly connected component of more than one node (or a node importing itself), spelt out edge by edge. */
export function cyclesOf(edges: readonly { from: string; to: string; via: string }[]): string[] {
  const next = new Map<string, { to: string; via: string }[]>();
  for (const edge of edges) next.set(edge.from, [...(next.get(edge.from) ?? []), edge]);
  // Tarjan's algorithm (recursive: the graphs here are a few hundred nodes).
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  const visit = (node: string) => {
    index.set(node, index.size);
    low.set(node, index.get(node)!);
    stack.push(node);
    onStack.add(node);
    for (const { to } of next.get(node) ?? []) {
      if (!index.has(to)) {
        visit(to);
        low.set(node, Math.min(low.get(node)!, low.get(to)!));
      } else if (onStack.has(to)) low.set(node, Math.min(low.get(node)!, index.get(to)!));
    }
    if (low.get(node) === index.get(node)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      components.push(component);
    }
  };
  for (const node of new Set(edges.flatMap((edge) => [edge.from, edge.to]))) if (!index.has(node)) visit(node);
  return components
    .filter((component) => component.length > 1 || (next.get(component[0]) ?? []).some((edge) => edge.to === component[0]))
    .map((component) => {
      // A shortest way back to the start inside the component, so the message names real imports.
      const members = new Set(component);
      const start = [...component].sort()[0];
      const cameFrom = new Map<string, { node: string; via: string }>();
      const queue = [start];
      let closing: { node: string; via: string } | undefined;
      while (queue.length > 0 && !closing) {
        const node = queue.shift()!;
        for (const edge of next.get(node) ?? []) {
          if (!members.has(edge.to)) continue;
          if (edge.to === start) {
            closing = { node, via: edge.via };
            break;
          }
          if (!cameFrom.has(edge.to)) {
            cameFrom.set(edge.to, { node, via: edge.via });
            queue.push(edge.to);
          }
        }
      }
      const steps = [closing!.via];
      const path = [start];
      for (let node = closing!.node; node !== start; node = cameFrom.get(node)!.node) {
        steps.unshift(cameFrom.get(node)!.via);
        path.splice(1, 0, node);
      }
      return `${[...path, start].join(' -> ')}, through ${steps.join('; ')}`;
    });
}

/** A name in the `exports` of a Nest `@Module`, with the file it was imported from. */
export interface ModuleExport {
  readonly module: string;
  readonly name: string;
  readonly from: string;
}

/** Every source file of `src/` and `libs/` (tests and specs left out: they may reach anywhere to set up). */
export function sourceFiles(root: string): string[] {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
      const path = `${dir}/${entry.name}`;
      if (entry.isDirectory()) walk(path);
      else if (path.endsWith('.ts') && !path.endsWith('.spec.ts')) files.push(path);
    }
  };
  walk('src');
  walk('libs');
  return files.sort();
}

/** The import edges among the files and the `@Module` exports, as the compiler resolves them with the project's tsconfig. */
export function readModuleGraph(root: string): { edges: ImportEdge[]; moduleExports: ModuleExport[] } {
  const { config } = ts.readConfigFile(join(root, 'tsconfig.json'), (path) => ts.sys.readFile(path));
  const options = ts.parseJsonConfigFileContent(config, ts.sys, root).options;
  const edges: ImportEdge[] = [];
  const moduleExports: ModuleExport[] = [];
  const toRelative = (path: string) => relative(root, path).split(sep).join('/');
  for (const file of sourceFiles(root)) {
    const source = ts.createSourceFile(file, readFileSync(join(root, file), 'utf8'), ts.ScriptTarget.Latest, true);
    const resolve = (specifier: string): string | undefined => {
      const resolved = ts.resolveModuleName(specifier, join(root, file), options, ts.sys).resolvedModule;
      if (!resolved || resolved.isExternalLibraryImport) return undefined;
      const target = toRelative(resolved.resolvedFileName);
      return unitOf(target) ? target : undefined;
    };
    const imported = new Map<string, string>();
    const add = (specifier: ts.Expression | undefined, typeOnly: boolean) => {
      if (!specifier || !ts.isStringLiteralLike(specifier)) return;
      const to = resolve(specifier.text);
      if (to) edges.push({ from: file, to, typeOnly });
    };
    const visit = (node: ts.Node): void => {
      if (ts.isImportDeclaration(node)) {
        const clause = node.importClause;
        const named = clause?.namedBindings && ts.isNamedImports(clause.namedBindings) ? clause.namedBindings.elements : undefined;
        const typeOnly = !!clause && (clause.isTypeOnly || (!clause.name && !!named && named.length > 0 && named.every((element) => element.isTypeOnly)));
        add(node.moduleSpecifier, typeOnly);
        const to = ts.isStringLiteralLike(node.moduleSpecifier) ? resolve(node.moduleSpecifier.text) : undefined;
        if (to) for (const element of named ?? []) imported.set(element.name.text, to);
      } else if (ts.isExportDeclaration(node)) {
        add(node.moduleSpecifier, node.isTypeOnly);
      } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) {
        add(node.argument.literal, true);
      } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
        add(node.arguments[0], false);
      } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
        add(node.moduleReference.expression, node.isTypeOnly);
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
    if (file.endsWith('.module.ts')) moduleExports.push(...exportsOfModules(source, file, imported));
  }
  return { edges, moduleExports };
}

/** The identifiers in the `exports: [...]` of each `@Module({...})` of the file (dynamic modules' `exports` too). */
function exportsOfModules(source: ts.SourceFile, file: string, imported: ReadonlyMap<string, string>): ModuleExport[] {
  const found: ModuleExport[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isPropertyAssignment(node) && ts.isIdentifier(node.name) && node.name.text === 'exports' && ts.isArrayLiteralExpression(node.initializer)) {
      for (const element of node.initializer.elements) {
        if (ts.isIdentifier(element) && imported.has(element.text)) found.push({ module: file, name: element.text, from: imported.get(element.text)! });
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}
