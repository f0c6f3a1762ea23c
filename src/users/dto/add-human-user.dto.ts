import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsBoolean, IsEmail, IsNotEmpty, IsOptional, IsString, Length, Matches, MaxLength, ValidateNested } from 'class-validator';
import { DetailsResponseDto } from '../../common/dto/object-details.dto';
import { NoControlCharacters } from '../../common/no-control-characters.validator';

export const E164 = /^\+[1-9]\d{6,14}$/;

export class OrganizationRefDto {
  @ApiProperty({ example: '69629023906488334' })
  @IsString()
  @Length(1, 200)
  orgId: string;
}

export class ProfileDto {
  @ApiProperty({ example: 'Minnie' })
  @IsString()
  @Length(1, 200)
  givenName: string;

  @ApiProperty({ example: 'Mouse' })
  @IsString()
  @Length(1, 200)
  familyName: string;
}

export class SetEmailDto {
  @ApiProperty({ example: 'mini@mouse.com' })
  @IsEmail({}, { message: 'email must be a valid e-mail address' })
  @NoControlCharacters()
  @MaxLength(200)
  email: string;

  @ApiPropertyOptional({ description: 'mark the address verified (no verification code is sent)', default: false })
  @IsOptional()
  @IsBoolean()
  isVerified?: boolean;
}

export class SetPhoneDto {
  @ApiProperty({ description: 'E.164 phone number', example: '+41791234567' })
  @IsString()
  @Matches(E164, { message: 'phone must be an E.164 number such as +41791234567' })
  phone: string;

  @ApiPropertyOptional({ description: 'mark the number verified (no verification code is sent)', default: false })
  @IsOptional()
  @IsBoolean()
  isVerified?: boolean;
}

export class AddHumanUserDto {
  @ApiPropertyOptional({ description: 'the id to give the user; generated when omitted', example: '163840776835432705' })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  @Matches(/^\S+$/, { message: 'userId must not contain white space' })
  userId?: string;

  @ApiProperty({ example: 'minnie-mouse' })
  @IsString()
  @IsNotEmpty()
  @Length(1, 200)
  username: string;

  @ApiProperty({ type: OrganizationRefDto })
  @ValidateNested()
  @Type(() => OrganizationRefDto)
  organization: OrganizationRefDto;

  @ApiProperty({ type: ProfileDto })
  @ValidateNested()
  @Type(() => ProfileDto)
  profile: ProfileDto;

  @ApiPropertyOptional({ type: SetEmailDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => SetEmailDto)
  email?: SetEmailDto;

  @ApiPropertyOptional({ type: SetPhoneDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => SetPhoneDto)
  phone?: SetPhoneDto;
}

export class AddHumanUserResponseDto extends DetailsResponseDto {
  @ApiProperty({ example: '163840776835432705' })
  userId: string;
}
