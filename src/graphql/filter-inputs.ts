/**
 * The per-scalar filter inputs of the core schema (`StringFilter`, `IntFilter`, …): the operator objects
 * `{ eq, ne, in, notIn, lt, lte, gt, gte, contains, startsWith, endsWith, exists }` that the generic `twins`
 * query and every generated `<Model>Where` use for their fields. Generated types refer to them by name, so
 * they are orphan types of the core schema; ./generate/filters.ts translates them to store filters.
 */
import 'reflect-metadata';
import { Field, Float, ID, InputType, Int } from 'type-graphql';
import { FILTER_OPS } from './descriptions';
import { DateTimeScalar, LongScalar } from './scalars';

@InputType({ description: 'Conditions on a string.' })
export class StringFilter {
  @Field(() => String, { nullable: true, description: FILTER_OPS.eq }) eq?: string;
  @Field(() => String, { nullable: true, description: FILTER_OPS.ne }) ne?: string;
  @Field(() => [String], { nullable: true, description: FILTER_OPS.in }) in?: string[];
  @Field(() => [String], { nullable: true, description: FILTER_OPS.notIn }) notIn?: string[];
  @Field(() => String, { nullable: true, description: FILTER_OPS.lt }) lt?: string;
  @Field(() => String, { nullable: true, description: FILTER_OPS.lte }) lte?: string;
  @Field(() => String, { nullable: true, description: FILTER_OPS.gt }) gt?: string;
  @Field(() => String, { nullable: true, description: FILTER_OPS.gte }) gte?: string;
  @Field(() => String, { nullable: true, description: FILTER_OPS.contains }) contains?: string;
  @Field(() => String, { nullable: true, description: FILTER_OPS.startsWith }) startsWith?: string;
  @Field(() => String, { nullable: true, description: FILTER_OPS.endsWith }) endsWith?: string;
  @Field(() => Boolean, { nullable: true, description: FILTER_OPS.exists }) exists?: boolean;
}

@InputType({ description: 'Conditions on an id.' })
export class IDFilter {
  @Field(() => ID, { nullable: true, description: FILTER_OPS.eq }) eq?: string;
  @Field(() => ID, { nullable: true, description: FILTER_OPS.ne }) ne?: string;
  @Field(() => [ID], { nullable: true, description: FILTER_OPS.in }) in?: string[];
  @Field(() => [ID], { nullable: true, description: FILTER_OPS.notIn }) notIn?: string[];
  @Field(() => String, { nullable: true, description: FILTER_OPS.startsWith }) startsWith?: string;
}

@InputType({ description: 'Conditions on a number.' })
export class FloatFilter {
  @Field(() => Float, { nullable: true, description: FILTER_OPS.eq }) eq?: number;
  @Field(() => Float, { nullable: true, description: FILTER_OPS.ne }) ne?: number;
  @Field(() => [Float], { nullable: true, description: FILTER_OPS.in }) in?: number[];
  @Field(() => [Float], { nullable: true, description: FILTER_OPS.notIn }) notIn?: number[];
  @Field(() => Float, { nullable: true, description: FILTER_OPS.lt }) lt?: number;
  @Field(() => Float, { nullable: true, description: FILTER_OPS.lte }) lte?: number;
  @Field(() => Float, { nullable: true, description: FILTER_OPS.gt }) gt?: number;
  @Field(() => Float, { nullable: true, description: FILTER_OPS.gte }) gte?: number;
  @Field(() => Boolean, { nullable: true, description: FILTER_OPS.exists }) exists?: boolean;
}

@InputType({ description: 'Conditions on a whole number.' })
export class IntFilter {
  @Field(() => Int, { nullable: true, description: FILTER_OPS.eq }) eq?: number;
  @Field(() => Int, { nullable: true, description: FILTER_OPS.ne }) ne?: number;
  @Field(() => [Int], { nullable: true, description: FILTER_OPS.in }) in?: number[];
  @Field(() => [Int], { nullable: true, description: FILTER_OPS.notIn }) notIn?: number[];
  @Field(() => Int, { nullable: true, description: FILTER_OPS.lt }) lt?: number;
  @Field(() => Int, { nullable: true, description: FILTER_OPS.lte }) lte?: number;
  @Field(() => Int, { nullable: true, description: FILTER_OPS.gt }) gt?: number;
  @Field(() => Int, { nullable: true, description: FILTER_OPS.gte }) gte?: number;
  @Field(() => Boolean, { nullable: true, description: FILTER_OPS.exists }) exists?: boolean;
}

@InputType({ description: 'Conditions on a long.' })
export class LongFilter {
  @Field(() => LongScalar, { nullable: true, description: FILTER_OPS.eq }) eq?: number;
  @Field(() => LongScalar, { nullable: true, description: FILTER_OPS.ne }) ne?: number;
  @Field(() => [LongScalar], { nullable: true, description: FILTER_OPS.in }) in?: number[];
  @Field(() => [LongScalar], { nullable: true, description: FILTER_OPS.notIn }) notIn?: number[];
  @Field(() => LongScalar, { nullable: true, description: FILTER_OPS.lt }) lt?: number;
  @Field(() => LongScalar, { nullable: true, description: FILTER_OPS.lte }) lte?: number;
  @Field(() => LongScalar, { nullable: true, description: FILTER_OPS.gt }) gt?: number;
  @Field(() => LongScalar, { nullable: true, description: FILTER_OPS.gte }) gte?: number;
  @Field(() => Boolean, { nullable: true, description: FILTER_OPS.exists }) exists?: boolean;
}

@InputType({ description: 'Conditions on a boolean.' })
export class BooleanFilter {
  @Field(() => Boolean, { nullable: true, description: FILTER_OPS.eq }) eq?: boolean;
  @Field(() => Boolean, { nullable: true, description: FILTER_OPS.ne }) ne?: boolean;
  @Field(() => Boolean, { nullable: true, description: FILTER_OPS.exists }) exists?: boolean;
}

@InputType({ description: 'Conditions on a date and time. Values compare as ISO 8601 text: write them in UTC (…Z).' })
export class DateTimeFilter {
  @Field(() => DateTimeScalar, { nullable: true, description: FILTER_OPS.eq }) eq?: string;
  @Field(() => DateTimeScalar, { nullable: true, description: FILTER_OPS.ne }) ne?: string;
  @Field(() => [DateTimeScalar], { nullable: true, description: FILTER_OPS.in }) in?: string[];
  @Field(() => [DateTimeScalar], { nullable: true, description: FILTER_OPS.notIn }) notIn?: string[];
  @Field(() => DateTimeScalar, { nullable: true, description: FILTER_OPS.lt }) lt?: string;
  @Field(() => DateTimeScalar, { nullable: true, description: FILTER_OPS.lte }) lte?: string;
  @Field(() => DateTimeScalar, { nullable: true, description: FILTER_OPS.gt }) gt?: string;
  @Field(() => DateTimeScalar, { nullable: true, description: FILTER_OPS.gte }) gte?: string;
  @Field(() => Boolean, { nullable: true, description: FILTER_OPS.exists }) exists?: boolean;
}
