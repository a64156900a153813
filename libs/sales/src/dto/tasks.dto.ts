import { ApiProperty } from '@nestjs/swagger';
import { IsIn } from 'class-validator';
import { TASK_KINDS, type TaskKind } from '#sales/domain';
import { CalendarDate, OptionalId, RequiredId, Text } from '#http';

export class AssignTaskDto {
  @OptionalId('Id of the task, unique for the rep; derived from the command id when absent', 'task-4711')
  taskId?: string;

  @ApiProperty({ enum: TASK_KINDS, example: 'call' })
  @IsIn(TASK_KINDS)
  kind!: TaskKind;

  @Text(300, { description: 'What to do', example: 'Call about the renewal' })
  title!: string;

  @OptionalId('The customer it is about', 'c7f1d2a4-5b6e-4f00-9a1b-2c3d4e5f6a7b')
  customerId?: string;

  @CalendarDate('Due date', '2026-07-15')
  dueOn!: string;

  // A code, not free text: read models match tasks by it, so it must stay readable after the customer's erasure.
  @OptionalId('What caused it when not a person, as a code', 'contract-follow-up')
  origin?: string;
}

export class CompleteTaskDto {
  @Text(1000, { multiline: true, description: 'How it went', example: 'Renewed for two years', optional: true })
  outcome?: string;
}

export class ReassignTaskDto {
  @RequiredId('The active rep who takes the task over', 'rep-42')
  toRepId!: string;

  @Text(1000, { multiline: true, description: 'Why', example: 'On holiday until the due date', optional: true })
  reason?: string;
}
