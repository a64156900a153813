import { Module } from '@nestjs/common';
import { AuditController } from './audit.controller.js';
import { ProjectionVerifyController } from './projection-verify.controller.js';

/** Audit reads of the event log and checks of the read models against it (roles auditor and admin). */
@Module({ controllers: [AuditController, ProjectionVerifyController] })
export class AuditModule {}
