import { Logger, Module, type OnApplicationBootstrap } from '@nestjs/common';

/** Runs projections: event log -> PostgreSQL read models. None is registered yet. */
@Module({})
export class ProjectorModule implements OnApplicationBootstrap {
  private readonly logger = new Logger('Projector');

  onApplicationBootstrap(): void {
    this.logger.log('no projections are registered yet: following nothing');
  }
}
