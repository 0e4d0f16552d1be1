/**
 * Telemetry in the core schema: `MetricSeries` (what every generated telemetry field returns), its points and
 * aggregate windows, and the input of `recordMetrics`. A series' runtime value is a `SeriesValue`, the twin
 * and telemetry name its points are read by.
 */
import 'reflect-metadata';
import { Field, Float, ID, InputType, Int, ObjectType } from 'type-graphql';
import { DateTimeScalar, JSONScalar } from '../scalars';

@ObjectType({ description: 'One telemetry value.' })
export class MetricPoint {
  @Field(() => DateTimeScalar, { description: 'When it was measured.' }) time!: string;
  @Field(() => JSONScalar, {
    description:
      'The value as recorded: a number for numeric telemetry, the DTDL value (not the GraphQL enum name) for enums, any JSON otherwise.',
  })
  value!: unknown;
}

@ObjectType({ description: 'Aggregates of the numeric points in one time window.' })
export class MetricWindow {
  @Field(() => DateTimeScalar, { description: 'The start of the window (the window is [start, start + window)).' })
  start!: string;
  @Field(() => Int, { description: 'Numeric points in the window.' }) count!: number;
  @Field(() => Float, { nullable: true, description: 'The smallest value.' }) min!: number | null;
  @Field(() => Float, { nullable: true, description: 'The largest value.' }) max!: number | null;
  @Field(() => Float, { nullable: true, description: 'The mean value.' }) avg!: number | null;
  @Field(() => Float, { nullable: true, description: 'The sum of the values.' }) sum!: number | null;
  @Field(() => Float, { nullable: true, description: 'The value of the newest point in the window.' }) last!:
    number | null;
  @Field(() => DateTimeScalar, { nullable: true, description: 'The time of the newest point in the window.' })
  lastTime!: string | null;
}

@ObjectType({ description: 'The points a twin reported for one telemetry.' })
export class MetricSeries {
  @Field(() => ID, { description: 'The twin that reported them.' }) twinId!: string;
  @Field(() => String, { description: "The telemetry's DTDL name." }) name!: string;
  @Field(() => String, { nullable: true, description: "The telemetry's unit, when its model gives one." }) unit!:
    string | null;
}

@InputType({ description: 'A telemetry value of a twin.' })
export class MetricPointInput {
  @Field(() => ID, { description: 'The twin that measured it.' }) twinId!: string;
  @Field(() => String, { description: "The telemetry name in the twin's model." }) name!: string;
  @Field(() => DateTimeScalar, {
    nullable: true,
    description: "When it was measured (UTC, …Z); the server's time of receipt when left out.",
  })
  time?: string;
  @Field(() => JSONScalar, {
    description:
      'The value, valid for the telemetry\'s schema: a number for numeric telemetry, the DTDL value for enums (e.g. "blocked").',
  })
  value!: unknown;
}

/** A telemetry series of a twin: what MetricSeries fields resolve from. */
export interface SeriesValue {
  readonly twinId: string;
  readonly name: string;
  readonly unit: string | null;
}
