import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Organizations, human users with their contact channels, memberships and second
 * factors. An object's sequence and change time are its event stream's.
 */
export class CreateIdentitySchema1732320000001 implements MigrationInterface {
  name = 'CreateIdentitySchema1732320000001';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE organizations (
        id         text PRIMARY KEY,
        name       text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 200),
        created_at timestamptz NOT NULL
      )`);
    await runner.query(`
      CREATE TABLE users (
        id              text PRIMARY KEY CHECK (char_length(id) BETWEEN 1 AND 200),
        organization_id text NOT NULL REFERENCES organizations (id),
        username        text NOT NULL CHECK (char_length(username) BETWEEN 1 AND 200),
        state           text NOT NULL DEFAULT 'active' CHECK (state IN ('active', 'inactive')),
        given_name      text NOT NULL,
        family_name     text NOT NULL,
        email           text,
        email_verified  boolean NOT NULL DEFAULT false CHECK (email IS NOT NULL OR NOT email_verified),
        phone           text,
        phone_verified  boolean NOT NULL DEFAULT false CHECK (phone IS NOT NULL OR NOT phone_verified),
        created_at      timestamptz NOT NULL,
        CONSTRAINT users_username_per_organization UNIQUE (organization_id, username)
      )`);
    await runner.query(`
      CREATE TABLE memberships (
        user_id    text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        scope      text NOT NULL,
        roles      text[] NOT NULL CHECK (cardinality(roles) > 0),
        created_at timestamptz NOT NULL,
        PRIMARY KEY (user_id, scope)
      )`);
    await runner.query(`COMMENT ON COLUMN memberships.scope IS 'an organization id, or ''instance'' for instance-wide roles'`);
    await runner.query(`
      CREATE TABLE auth_factors (
        user_id    text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        type       text NOT NULL CHECK (type IN ('otp_sms', 'otp_email')),
        state      text NOT NULL DEFAULT 'ready' CHECK (state IN ('ready')),
        created_at timestamptz NOT NULL,
        PRIMARY KEY (user_id, type)
      )`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE auth_factors');
    await runner.query('DROP TABLE memberships');
    await runner.query('DROP TABLE users');
    await runner.query('DROP TABLE organizations');
  }
}
