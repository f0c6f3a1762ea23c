import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsBoolean, IsEmail, IsOptional, IsString, Length, Matches, MaxLength, ValidateNested } from 'class-validator';
import { DetailsResponseDto } from '../../common/dto/object-details.dto';
import { E164 } from '../../users/dto/add-human-user.dto';

/** `returnCode`: the code comes back in the response, for a caller who delivers it itself. */
export class ReturnCodeDto {}

/** `sendCode` for a phone: the code is sent by SMS. */
export class SendPhoneCodeDto {}

/** `sendCode` for an e-mail address: the code is sent by e-mail, with a link if `urlTemplate` is given. */
export class SendEmailCodeDto {
  @ApiPropertyOptional({
    description: 'the link in the e-mail; placeholders {{.Code}}, {{.UserID}} and {{.OrgID}} are filled in',
    example: 'https://example.com/verify?user={{.UserID}}&code={{.Code}}',
  })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  urlTemplate?: string;
}

const SEND_CODE = 'send a verification code to the new value (the default)';
const RETURN_CODE = 'return the verification code in the response instead of sending it (only on another user, with user.write)';
const IS_VERIFIED = 'mark the value verified without a code (only on another user, with user.write)';

/** The choice both channels share: the code returned to the caller. */
class CodeChoiceDto {
  @ApiPropertyOptional({ type: ReturnCodeDto, description: RETURN_CODE })
  @IsOptional()
  @ValidateNested()
  @Type(() => ReturnCodeDto)
  returnCode?: ReturnCodeDto;
}

/** How a phone's code travels (ResendPhoneCode's body). */
export class PhoneCodeRequestDto extends CodeChoiceDto {
  @ApiPropertyOptional({ type: SendPhoneCodeDto, description: SEND_CODE })
  @IsOptional()
  @ValidateNested()
  @Type(() => SendPhoneCodeDto)
  sendCode?: SendPhoneCodeDto;
}

/** How an e-mail address's code travels (ResendEmailCode's and SendEmailCode's body). */
export class EmailCodeRequestDto extends CodeChoiceDto {
  @ApiPropertyOptional({ type: SendEmailCodeDto, description: SEND_CODE })
  @IsOptional()
  @ValidateNested()
  @Type(() => SendEmailCodeDto)
  sendCode?: SendEmailCodeDto;
}

export class SetPhoneRequestDto extends PhoneCodeRequestDto {
  @ApiProperty({ description: 'E.164 phone number', example: '+41791234567' })
  @IsString()
  @Matches(E164, { message: 'phone must be an E.164 number such as +41791234567' })
  phone: string;

  @ApiPropertyOptional({ description: IS_VERIFIED })
  @IsOptional()
  @IsBoolean()
  isVerified?: boolean;
}

export class SetEmailRequestDto extends EmailCodeRequestDto {
  @ApiProperty({ example: 'mini@mouse.com' })
  @IsEmail({}, { message: 'email must be a valid e-mail address' })
  @MaxLength(200)
  email: string;

  @ApiPropertyOptional({ description: IS_VERIFIED })
  @IsOptional()
  @IsBoolean()
  isVerified?: boolean;
}

export class VerifyCodeRequestDto {
  @ApiProperty({ description: 'the code sent to the phone or e-mail address', example: 'SKJD3F' })
  @IsString()
  @Length(1, 64)
  verificationCode: string;
}

export class ChannelCodeResponseDto extends DetailsResponseDto {
  @ApiPropertyOptional({ description: 'the verification code, when returnCode was asked for', example: 'SKJD3F' })
  verificationCode?: string;
}
