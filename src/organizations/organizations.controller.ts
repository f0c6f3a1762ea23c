import { Body, Controller, Param, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { CurrentCaller } from '@app/auth';
import type { Caller } from '@app/auth';
import { DetailsResponseDto } from '../common/dto/object-details.dto';
import { toDetailsDto } from '../common/object-details.mapper';
import { ProtectedRoute } from '../common/protected-route.decorator';
import { AddOrganizationDto, AddOrganizationMemberDto, AddOrganizationResponseDto } from './dto/add-organization.dto';
import { OrganizationsService } from './organizations.service';

@ApiTags('Organization Service v2')
@Controller('v2/organizations')
export class OrganizationsController {
  constructor(private readonly organizations: OrganizationsService) {}

  @Post()
  @ProtectedRoute({
    response: AddOrganizationResponseDto,
    errors: [400, 403, 404],
    summary: 'Create an organization',
    description: 'Create an organization and grant roles in it to its admins (ORG_OWNER when no roles are given). Needs org.create instance-wide.',
  })
  async create(@CurrentCaller() caller: Caller, @Body() body: AddOrganizationDto): Promise<AddOrganizationResponseDto> {
    const { organizationId, details } = await this.organizations.create(caller, body.name, body.admins);
    return { organizationId, details: toDetailsDto(details) };
  }

  @Post(':orgId/members')
  @ProtectedRoute({
    response: DetailsResponseDto,
    errors: [400, 403, 404],
    summary: 'Add an organization member',
    description: 'Grant roles in the organization to a user. Needs org.member.write there (ORG_OWNER, IAM_OWNER).',
  })
  async addMember(@CurrentCaller() caller: Caller, @Param('orgId') orgId: string, @Body() body: AddOrganizationMemberDto): Promise<DetailsResponseDto> {
    return { details: toDetailsDto(await this.organizations.addMember(caller, orgId, body)) };
  }
}
