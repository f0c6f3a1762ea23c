import { ObjectDetailsDto } from './dto/object-details.dto';

/** Where a command or read left an object: its stream's sequence and the time of the events. */
export interface ObjectDetails {
  readonly sequence: number;
  readonly date: Date;
  readonly resourceOwner: string;
}

/** Which dates a route reports (the seeds differ by API). */
export type DetailsShape = 'change' | 'creation' | 'creationAndChange';

/** Builds the wire `details`, field by field. */
export function toDetailsDto(details: ObjectDetails, shape: DetailsShape = 'change'): ObjectDetailsDto {
  const date = details.date.toISOString();
  const dto: ObjectDetailsDto = { sequence: String(details.sequence), resourceOwner: details.resourceOwner };
  if (shape !== 'change') dto.creationDate = date;
  if (shape !== 'creation') dto.changeDate = date;
  return dto;
}
