import { RequiredId } from '#http';

export class AssignOwnerDto {
  @RequiredId('The sales rep who becomes the owner', 'rep-17')
  repId!: string;
}
