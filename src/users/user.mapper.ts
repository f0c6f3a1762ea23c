import { ObjectDetails, toDetailsDto } from '../common/object-details.mapper';
import { AddHumanUserDto } from './dto/add-human-user.dto';
import { GetUserResponseDto, UserDto } from './dto/user.response.dto';
import { UserRecord, UserState } from './user.record';
import { NewHumanUser } from './users.service';

/** ZITADEL's `UserState` names of the states a stored user can be in. */
export const USER_STATE_JSON: Readonly<Record<UserState, string>> = {
  active: 'USER_STATE_ACTIVE',
  inactive: 'USER_STATE_INACTIVE',
  locked: 'USER_STATE_LOCKED',
};

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
    state: USER_STATE_JSON[user.state],
    human: { profile: { givenName: user.givenName, familyName: user.familyName } },
  };
  if (user.email !== null) dto.human.email = { email: user.email, isVerified: user.emailVerified };
  if (user.phone !== null) dto.human.phone = { phone: user.phone, isVerified: user.phoneVerified };
  return {
    details: toDetailsDto(detailsOf(user)),
    user: dto,
  };
}
