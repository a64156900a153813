import { Module } from '@nestjs/common';
import { AuditController } from './audit.controller.js';

/** Audit reads of the event log (roles auditor and admin). */
@Module({ controllers: [AuditController] })
export class AuditModule {}
