import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

const SEQUENCE_DESCRIPTION =
  'on read: the sequence of the last event reduced by the projection; on manipulation: the sequence of the last event added by the manipulation';

/** `details` of the seeds: where a write left the object. Unset fields are omitted. */
export class ObjectDetailsDto {
  @ApiProperty({ description: SEQUENCE_DESCRIPTION, example: '8', type: String, format: 'uint64' })
  sequence: string;

  @ApiPropertyOptional({
    description: 'on read: the timestamp of the first event of the object; on create: the timestamp of the event(s) added by the manipulation',
    example: '2024-11-21T14:48:11.130Z',
    format: 'date-time',
  })
  creationDate?: string;

  @ApiPropertyOptional({
    description: 'on read: the timestamp of the last event reduced by the projection; on manipulation: the timestamp of the event(s) added by the manipulation',
    example: '2024-11-21T14:48:11.130Z',
    format: 'date-time',
  })
  changeDate?: string;

  @ApiProperty({ description: 'the organization that owns the object', example: '69629023906488334' })
  resourceOwner: string;
}

export class DetailsResponseDto {
  @ApiProperty({ type: ObjectDetailsDto })
  details: ObjectDetailsDto;
}
