import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsIn, IsOptional, IsString, Length, ValidateNested } from 'class-validator';
import { DetailsResponseDto } from '../../common/dto/object-details.dto';
import { ORGANIZATION_ROLES } from '../../permissions/permission';

const ROLES = [...ORGANIZATION_ROLES];

export class OrganizationAdminDto {
  @ApiProperty({ example: '163840776835432705' })
  @IsString()
  @Length(1, 200)
  userId: string;

  @ApiPropertyOptional({ enum: ROLES, isArray: true, default: ['ORG_OWNER'], description: 'at least one role; omitted: ORG_OWNER' })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1, { message: 'roles must name at least one role; omit it to grant ORG_OWNER' })
  @ArrayMaxSize(ROLES.length)
  @IsIn(ROLES, { each: true, message: `each role must be one of ${ROLES.join(', ')}` })
  roles?: string[];
}

export class AddOrganizationDto {
  @ApiProperty({ example: 'ZITADEL' })
  @IsString()
  @Length(1, 200)
  name: string;

  @ApiPropertyOptional({ type: [OrganizationAdminDto] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @ValidateNested({ each: true })
  @Type(() => OrganizationAdminDto)
  admins?: OrganizationAdminDto[];
}

export class AddOrganizationResponseDto extends DetailsResponseDto {
  @ApiProperty({ example: '69629023906488334' })
  organizationId: string;
}

export class AddOrganizationMemberDto extends OrganizationAdminDto {}
