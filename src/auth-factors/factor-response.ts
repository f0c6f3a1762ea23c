import type { FastifyReply } from 'fastify';
import { DetailsResponseDto } from '../common/dto/object-details.dto';
import { DetailsShape, ObjectDetails, toDetailsDto } from '../common/object-details.mapper';
import { etagOf } from './factor-command.options';

/** A factor command's REST answer: its `details` in the route's shape, and the user's sequence as the `ETag` header. */
export function factorResponse(reply: FastifyReply, details: ObjectDetails, shape?: DetailsShape): DetailsResponseDto {
  void reply.header('etag', etagOf(details.sequence));
  return { details: toDetailsDto(details, shape) };
}
