import type { Timestamp } from '@bufbuild/protobuf/wkt';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { datesOf, DetailsShape, ObjectDetails } from '../common/object-details.mapper';

/** `details` as protobuf (the fields zitadel.v1.ObjectDetails and zitadel.object.v2.Details share). */
export interface ProtoDetails {
  readonly sequence: bigint;
  readonly creationDate?: Timestamp;
  readonly changeDate?: Timestamp;
  readonly resourceOwner: string;
}

/** Builds the protobuf `details`: the same fields as the JSON ones, sequence as uint64, dates as Timestamps. */
export function toProtoDetails(details: ObjectDetails, shape: DetailsShape = 'change'): ProtoDetails {
  const dates = datesOf(shape);
  const date = timestampFromDate(details.date);
  return {
    sequence: BigInt(details.sequence),
    resourceOwner: details.resourceOwner,
    ...(dates.creation ? { creationDate: date } : {}),
    ...(dates.change ? { changeDate: date } : {}),
  };
}
