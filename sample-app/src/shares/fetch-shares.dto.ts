import { IsUrl } from 'class-validator';

export class FetchSharesDto {
  @IsUrl({ require_tld: false, protocols: ['http', 'https'], require_protocol: true })
  url!: string;
}
