import { Module, type DynamicModule } from '@nestjs/common';
import type { Projection } from '#read-model-engine';
import { AuditController } from './audit.controller.js';
import { LogVerifyController } from './log-verify.controller.js';
import { AUDITED_PROJECTIONS, ProjectionVerifyController } from './projection-verify.controller.js';

/** Audit reads of the event log, its verification, and checks of the read models against it (roles auditor and admin). */
@Module({})
export class AuditModule {
  /** The audit routes, verifying `projections` (the read models the app runs). */
  static register(projections: readonly Projection[]): DynamicModule {
    return {
      module: AuditModule,
      controllers: [AuditController, ProjectionVerifyController, LogVerifyController],
      providers: [{ provide: AUDITED_PROJECTIONS, useValue: projections }],
    };
  }
}
