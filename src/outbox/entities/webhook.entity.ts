import { Check, Column, Entity, ForeignKey, Index, PrimaryColumn } from 'typeorm';

/** A webhook target of an organization. */
@Entity('webhooks')
@Index('webhooks_by_organization', ['organizationId'])
@Check('webhooks_event_types_check', 'cardinality(event_types) > 0')
export class WebhookEntity {
  @PrimaryColumn({ type: 'text' })
  id: string;

  // By table name: the organizations feature's entity is not imported here.
  @ForeignKey('organizations', { name: 'webhooks_organization_id_fkey' })
  @Column({ name: 'organization_id', type: 'text' })
  organizationId: string;

  @Column({ type: 'text' })
  url: string;

  @Column({ name: 'event_types', type: 'text', array: true })
  eventTypes: string[];

  @Column({ type: 'text' })
  secret: string;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;

  @Column({ type: 'text' })
  creator: string;

  /** Paused when false: new events are not fanned out to it. */
  @Column({ type: 'boolean', default: true })
  active: boolean;
}
