import { RequiredId } from './fields.js';

export class AssignOwnerDto {
  @RequiredId('The sales rep who becomes the owner', 'rep-17')
  repId!: string;
}
