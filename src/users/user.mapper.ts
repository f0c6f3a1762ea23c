import { ObjectDetails, toDetailsDto } from '../common/object-details.mapper';
import { AddHumanUserDto } from './dto/add-human-user.dto';
import { GetUserResponseDto, UserDto } from './dto/user.response.dto';
import { UserRecord } from './user.record';
import { NewHumanUser } from './users.service';

/** The validated v2 `AddHumanUser` request as the service's command input. */
export function toNewHumanUser(body: AddHumanUserDto): NewHumanUser {
  return {
    userId: body.userId,
    organizationId: body.organization.orgId,
    username: body.username,
    givenName: body.profile.givenName,
    familyName: body.profile.familyName,
    email: body.email,
    phone: body.phone,
  };
}

/** Where the read model has the user: the last event it has seen. */
export function detailsOf(user: UserRecord): ObjectDetails {
  return { sequence: user.sequence, date: user.changedAt, resourceOwner: user.organizationId };
}

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
    details: toDetailsDto(detailsOf(user)),
    user: dto,
  };
}
