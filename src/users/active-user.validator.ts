import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { Client } from 'pg';
import { PrincipalValidator } from '@app/auth';
import { DatabaseServer } from '@app/database';
import { USER_LEFT_ACTIVE_CHANNEL, UsersRepository } from './users.repository';

/** How long a user found active is believed without asking again: a bound for changes made behind the service's back (SQL by hand). */
const BELIEVED_ACTIVE_MS = 10_000;
/** More users than this remembered: forget them all rather than grow. */
const MAX_REMEMBERED = 50_000;
const RECONNECT_MS = 1000;

/**
 * A token acts for its subject only while that user exists and is active.
 *
 * The answer "active" is remembered for a short while, so that a request costs no statement of its own for it; it
 * is forgotten the moment the user leaves the active state (deactivated, locked, deleted): at once on the instance
 * that made the change, on the others when PostgreSQL tells them (the change's NOTIFY, on its commit, which every
 * instance LISTENs to). While an instance does not listen (starting, or its listening connection lost), it remembers
 * nothing and asks the database at every request.
 */
@Injectable()
export class ActiveUserValidator implements PrincipalValidator, OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('ActiveUsers');
  private readonly believed = new Map<string, number>();
  /** Advanced at every forgetting: an answer read before it may predate the change, and is not remembered. */
  private generation = 0;
  private listener?: Client;
  private listening = false;
  private stopped = false;
  private reconnect?: NodeJS.Timeout;

  constructor(
    private readonly users: UsersRepository,
    private readonly server: DatabaseServer,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.listen();
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.reconnect);
    this.stopListening();
    await this.listener?.end().catch(() => undefined);
  }

  async isActive(userId: string): Promise<boolean> {
    const until = this.believed.get(userId);
    if (until !== undefined && until > Date.now()) return true;
    const generation = this.generation;
    const active = await this.users.isActive(userId);
    if (active && this.listening && generation === this.generation) {
      if (this.believed.size >= MAX_REMEMBERED) this.believed.clear();
      this.believed.set(userId, Date.now() + BELIEVED_ACTIVE_MS);
    } else if (!active) this.believed.delete(userId);
    return active;
  }

  /** The user left the active state (this instance's change, once committed): refused from the next request on. */
  forget(userId: string): void {
    this.generation++;
    this.believed.delete(userId);
  }

  private async listen(): Promise<void> {
    const client = new Client({ connectionString: this.server.url, connectionTimeoutMillis: 5000, keepAlive: true, application_name: 'auth-factors-listener' });
    this.listener = client;
    client.on('notification', (message) => {
      if (message.channel === USER_LEFT_ACTIVE_CHANNEL && message.payload) this.forget(message.payload);
    });
    client.on('error', (error) => this.lost(client, error.message));
    client.on('end', () => this.lost(client, 'connection closed'));
    try {
      await client.connect();
      await client.query(`LISTEN ${USER_LEFT_ACTIVE_CHANNEL}`);
      if (this.listener === client && !this.stopped) {
        // An answer read while nothing listened may predate a change whose notification went unheard: not remembered.
        this.generation++;
        this.listening = true;
      }
    } catch (error) {
      this.lost(client, error instanceof Error ? error.message : String(error));
    }
  }

  /** Without the listening connection, nothing is remembered (a change could go unheard); it is opened again. */
  private lost(client: Client, reason: string): void {
    if (this.listener !== client) return;
    this.stopListening();
    this.listener = undefined;
    client.end().catch(() => undefined);
    if (this.stopped) return;
    this.logger.warn(`Listening for users leaving the active state stopped (${reason}); each request asks the database until it listens again`);
    this.reconnect = setTimeout(() => void this.listen(), RECONNECT_MS);
  }

  private stopListening(): void {
    this.listening = false;
    this.generation++;
    this.believed.clear();
  }
}
