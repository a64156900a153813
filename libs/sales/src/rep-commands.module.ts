import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { ExecuteRepCommandHandler } from './execute-rep.command.js';

/** The handler of every rep command, for each process that issues them (the api's routes, the worker's jobs). */
@Module({ imports: [CqrsModule], providers: [ExecuteRepCommandHandler] })
export class RepCommandsModule {}
