import { Check, Column, Entity, PrimaryColumn } from 'typeorm';

@Entity('organizations')
@Check('organizations_name_check', 'char_length(name) BETWEEN 1 AND 200')
export class OrganizationEntity {
  @PrimaryColumn({ type: 'text' })
  id: string;

  @Column({ type: 'text' })
  name: string;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
