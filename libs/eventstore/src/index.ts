export * from './event';
export * from './event-store';
export * from './eventstore.module';
export * from './create-eventstore.migration';
export * from './entities/event.entity';
export * from './entities/event-stream.entity';
