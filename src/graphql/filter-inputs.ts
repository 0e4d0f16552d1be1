/**
 * The per-scalar filter inputs of the core schema (`StringFilter`, `IntFilter`, …): the operator objects
 * `{ eq, ne, in, notIn, lt, lte, gt, gte, contains, startsWith, endsWith, exists }` that the generic `twins`
 * query and every generated `<Model>Where` use for their fields. Generated types refer to them by name, so
 * they are orphan types of the core schema; ./generate/filters.ts translates them to store filters.
 */
import 'reflect-metadata';
import { Field, Float, ID, InputType, Int } from 'type-graphql';
import { DateTimeScalar, LongScalar } from './scalars';

@InputType({ description: 'Conditions on a string.' })
export class StringFilter {
  @Field(() => String, { nullable: true }) eq?: string;
  @Field(() => String, { nullable: true }) ne?: string;
  @Field(() => [String], { nullable: true }) in?: string[];
  @Field(() => [String], { nullable: true }) notIn?: string[];
  @Field(() => String, { nullable: true }) lt?: string;
  @Field(() => String, { nullable: true }) lte?: string;
  @Field(() => String, { nullable: true }) gt?: string;
  @Field(() => String, { nullable: true }) gte?: string;
  @Field(() => String, { nullable: true }) contains?: string;
  @Field(() => String, { nullable: true }) startsWith?: string;
  @Field(() => String, { nullable: true }) endsWith?: string;
  @Field(() => Boolean, { nullable: true, description: 'true: the property is set; false: it is not.' })
  exists?: boolean;
}

@InputType({ description: 'Conditions on an id.' })
export class IDFilter {
  @Field(() => ID, { nullable: true }) eq?: string;
  @Field(() => ID, { nullable: true }) ne?: string;
  @Field(() => [ID], { nullable: true }) in?: string[];
  @Field(() => [ID], { nullable: true }) notIn?: string[];
  @Field(() => String, { nullable: true }) startsWith?: string;
}

@InputType({ description: 'Conditions on a number.' })
export class FloatFilter {
  @Field(() => Float, { nullable: true }) eq?: number;
  @Field(() => Float, { nullable: true }) ne?: number;
  @Field(() => [Float], { nullable: true }) in?: number[];
  @Field(() => [Float], { nullable: true }) notIn?: number[];
  @Field(() => Float, { nullable: true }) lt?: number;
  @Field(() => Float, { nullable: true }) lte?: number;
  @Field(() => Float, { nullable: true }) gt?: number;
  @Field(() => Float, { nullable: true }) gte?: number;
  @Field(() => Boolean, { nullable: true }) exists?: boolean;
}

@InputType({ description: 'Conditions on a whole number.' })
export class IntFilter {
  @Field(() => Int, { nullable: true }) eq?: number;
  @Field(() => Int, { nullable: true }) ne?: number;
  @Field(() => [Int], { nullable: true }) in?: number[];
  @Field(() => [Int], { nullable: true }) notIn?: number[];
  @Field(() => Int, { nullable: true }) lt?: number;
  @Field(() => Int, { nullable: true }) lte?: number;
  @Field(() => Int, { nullable: true }) gt?: number;
  @Field(() => Int, { nullable: true }) gte?: number;
  @Field(() => Boolean, { nullable: true }) exists?: boolean;
}

@InputType({ description: 'Conditions on a long.' })
export class LongFilter {
  @Field(() => LongScalar, { nullable: true }) eq?: number;
  @Field(() => LongScalar, { nullable: true }) ne?: number;
  @Field(() => [LongScalar], { nullable: true }) in?: number[];
  @Field(() => [LongScalar], { nullable: true }) notIn?: number[];
  @Field(() => LongScalar, { nullable: true }) lt?: number;
  @Field(() => LongScalar, { nullable: true }) lte?: number;
  @Field(() => LongScalar, { nullable: true }) gt?: number;
  @Field(() => LongScalar, { nullable: true }) gte?: number;
  @Field(() => Boolean, { nullable: true }) exists?: boolean;
}

@InputType({ description: 'Conditions on a boolean.' })
export class BooleanFilter {
  @Field(() => Boolean, { nullable: true }) eq?: boolean;
  @Field(() => Boolean, { nullable: true }) ne?: boolean;
  @Field(() => Boolean, { nullable: true }) exists?: boolean;
}

@InputType({ description: 'Conditions on a date and time. Values compare as ISO 8601 text: write them in UTC (…Z).' })
export class DateTimeFilter {
  @Field(() => DateTimeScalar, { nullable: true }) eq?: string;
  @Field(() => DateTimeScalar, { nullable: true }) ne?: string;
  @Field(() => [DateTimeScalar], { nullable: true }) in?: string[];
  @Field(() => [DateTimeScalar], { nullable: true }) notIn?: string[];
  @Field(() => DateTimeScalar, { nullable: true }) lt?: string;
  @Field(() => DateTimeScalar, { nullable: true }) lte?: string;
  @Field(() => DateTimeScalar, { nullable: true }) gt?: string;
  @Field(() => DateTimeScalar, { nullable: true }) gte?: string;
  @Field(() => Boolean, { nullable: true }) exists?: boolean;
}
