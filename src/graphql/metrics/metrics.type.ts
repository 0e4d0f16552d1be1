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
  @Field(() => DateTimeScalar) time!: string;
  @Field(() => JSONScalar, { description: 'A number for numeric telemetry; any JSON value otherwise.' })
  value!: unknown;
}

@ObjectType({ description: 'Aggregates of the numeric points in one time window.' })
export class MetricWindow {
  @Field(() => DateTimeScalar) start!: string;
  @Field(() => Int) count!: number;
  @Field(() => Float, { nullable: true }) min!: number | null;
  @Field(() => Float, { nullable: true }) max!: number | null;
  @Field(() => Float, { nullable: true }) avg!: number | null;
  @Field(() => Float, { nullable: true }) sum!: number | null;
  @Field(() => Float, { nullable: true, description: 'The value of the newest point in the window.' }) last!:
    number | null;
  @Field(() => DateTimeScalar, { nullable: true }) lastTime!: string | null;
}

@ObjectType({ description: 'The points a twin reported for one telemetry.' })
export class MetricSeries {
  @Field(() => ID) twinId!: string;
  @Field(() => String) name!: string;
  @Field(() => String, { nullable: true }) unit!: string | null;
}

@InputType({ description: 'A telemetry value of a twin.' })
export class MetricPointInput {
  @Field(() => ID) twinId!: string;
  @Field(() => String, { description: "The telemetry name in the twin's model." }) name!: string;
  @Field(() => DateTimeScalar) time!: string;
  @Field(() => JSONScalar) value!: unknown;
}

/** A telemetry series of a twin: what MetricSeries fields resolve from. */
export interface SeriesValue {
  readonly twinId: string;
  readonly name: string;
  readonly unit: string | null;
}
