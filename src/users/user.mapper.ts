import { toDetailsDto } from '../common/object-details.mapper';
import { GetUserResponseDto, UserDto } from './dto/user.response.dto';
import { UserRecord } from './user.record';

/** Builds the v2 `GetUserByID` response, field by field. */
export function toGetUserResponse(user: UserRecord): GetUserResponseDto {
  const dto: UserDto = {
    userId: user.id,
    username: user.username,
    state: user.state === 'active' ? 'USER_STATE_ACTIVE' : 'USER_STATE_INACTIVE',
    human: { profile: { givenName: user.givenName, familyName: user.familyName } },
  };
  if (user.email !== null) dto.human.email = { email: user.email, isVerified: user.emailVerified };
  if (user.phone !== null) dto.human.phone = { phone: user.phone, isVerified: user.phoneVerified };
  return {
    details: toDetailsDto({ sequence: user.sequence, date: user.changedAt, resourceOwner: user.organizationId }),
    user: dto,
  };
}
