import { Text } from '#http';

export class EraseCustomerDto {
  @Text(1000, { multiline: true, description: 'Why (e.g. the request that asked for it)', example: 'GDPR art. 17 request #2291', optional: true })
  reason?: string;
}
