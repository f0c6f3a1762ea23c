import { UserEventType } from '../users/user.record';
import { ChangeDto, ChangeQueryDto, ListChangesResponseDto } from './dto/user-changes.dto';
import { ChangePage, UserChangeRecord } from './user-changes.repository';
import { DEFAULT_CHANGES_LIMIT, UserChanges } from './user-changes.service';

const MESSAGES: Readonly<Record<string, string>> = {
  [UserEventType.HumanAdded]: 'User added',
  [UserEventType.EmailChanged]: 'E-mail address changed',
  [UserEventType.EmailVerified]: 'E-mail address verified',
  [UserEventType.PhoneChanged]: 'Phone number changed',
  [UserEventType.PhoneVerified]: 'Phone number verified',
  [UserEventType.PhoneRemoved]: 'Phone number removed',
  [UserEventType.OtpSmsAdded]: 'OTP SMS added',
  [UserEventType.OtpSmsRemoved]: 'OTP SMS removed',
  [UserEventType.OtpEmailAdded]: 'OTP Email added',
  [UserEventType.OtpEmailRemoved]: 'OTP Email removed',
  [UserEventType.MfaReset]: 'MFA reset',
  [UserEventType.Deactivated]: 'User deactivated',
  [UserEventType.Reactivated]: 'User reactivated',
  [UserEventType.Locked]: 'User locked',
  [UserEventType.Unlocked]: 'User unlocked',
  [UserEventType.Removed]: 'User deleted',
};

/** The page a `ChangeQuery` asks for (ZITADEL's defaults: newest first, limit 0 meaning the default). */
export function toChangePage(query: ChangeQueryDto | undefined): ChangePage {
  return { sequence: Number(query?.sequence ?? 0), limit: query?.limit || DEFAULT_CHANGES_LIMIT, ascending: query?.asc ?? false };
}

function toChangeDto(change: UserChangeRecord): ChangeDto {
  const dto: ChangeDto = {
    changeId: change.eventId,
    changeDate: change.createdAt.toISOString(),
    eventType: { key: change.type },
    sequence: String(change.sequence),
    editorId: change.editorId,
    resourceOwnerId: change.resourceOwner,
  };
  const message = MESSAGES[change.type];
  if (message) dto.eventType.localizedMessage = message;
  if (change.editorDisplayName) dto.editorDisplayName = change.editorDisplayName;
  if (change.editorUsername) dto.editorPreferredLoginName = change.editorUsername;
  return dto;
}

/** Builds the wire response, field by field. */
export function toListChangesResponse(changes: UserChanges): ListChangesResponseDto {
  return {
    details: {
      totalResult: String(changes.total),
      processedSequence: String(changes.processedSequence),
      viewTimestamp: changes.viewedAt.toISOString(),
    },
    result: changes.changes.map(toChangeDto),
  };
}
