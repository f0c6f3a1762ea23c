import { ObjectDetailsDto } from './dto/object-details.dto';

/** Where a command or read left an object: its stream's sequence and the time of the events. */
export interface ObjectDetails {
  readonly sequence: number;
  readonly date: Date;
  readonly resourceOwner: string;
}

/** Which dates a route reports (the seeds differ by API). */
export type DetailsShape = 'change' | 'creation' | 'creationAndChange';

/** Whether a shape reports `creationDate` and `changeDate`: the one rule every transport follows. */
export function datesOf(shape: DetailsShape): { readonly creation: boolean; readonly change: boolean } {
  return { creation: shape !== 'change', change: shape !== 'creation' };
}

/** Builds the JSON wire `details`, field by field. */
export function toDetailsDto(details: ObjectDetails, shape: DetailsShape = 'change'): ObjectDetailsDto {
  const date = details.date.toISOString();
  const dates = datesOf(shape);
  const dto: ObjectDetailsDto = { sequence: String(details.sequence), resourceOwner: details.resourceOwner };
  if (dates.creation) dto.creationDate = date;
  if (dates.change) dto.changeDate = date;
  return dto;
}
