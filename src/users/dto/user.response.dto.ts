import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { DetailsResponseDto } from '../../common/dto/object-details.dto';

export class HumanProfileDto {
  @ApiProperty({ example: 'Minnie' }) givenName: string;
  @ApiProperty({ example: 'Mouse' }) familyName: string;
}

export class HumanEmailDto {
  @ApiProperty({ example: 'mini@mouse.com' }) email: string;
  @ApiProperty({ example: true }) isVerified: boolean;
}

export class HumanPhoneDto {
  @ApiProperty({ example: '+41791234567' }) phone: string;
  @ApiProperty({ example: true }) isVerified: boolean;
}

export class HumanUserDto {
  @ApiProperty({ type: HumanProfileDto }) profile: HumanProfileDto;
  @ApiPropertyOptional({ type: HumanEmailDto }) email?: HumanEmailDto;
  @ApiPropertyOptional({ type: HumanPhoneDto }) phone?: HumanPhoneDto;
}

export class UserDto {
  @ApiProperty({ example: '163840776835432705' }) userId: string;
  @ApiProperty({ example: 'minnie-mouse' }) username: string;
  @ApiProperty({ enum: ['USER_STATE_ACTIVE', 'USER_STATE_INACTIVE', 'USER_STATE_LOCKED'], example: 'USER_STATE_ACTIVE' }) state: string;
  @ApiProperty({ type: HumanUserDto }) human: HumanUserDto;
}

export class GetUserResponseDto extends DetailsResponseDto {
  @ApiProperty({ type: UserDto }) user: UserDto;
}
