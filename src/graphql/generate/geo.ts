/**
 * DTDL's geospatial schemas as GeoJSON (RFC 7946) types: `{ type: "Point", coordinates: [lon, lat] }`.
 * Static: the same six output and six input types in every schema.
 */
import {
  GraphQLFloat,
  GraphQLInputObjectType,
  GraphQLList,
  GraphQLNonNull,
  GraphQLObjectType,
  GraphQLString,
  type GraphQLInputType,
  type GraphQLOutputType,
} from 'graphql';
import type { GeospatialSchemaName } from '../../dtdl';

const DEPTH: Record<GeospatialSchemaName, number> = {
  point: 1,
  multiPoint: 2,
  lineString: 2,
  multiLineString: 3,
  polygon: 3,
  multiPolygon: 4,
};
/** The GeoJSON `type` of each DTDL geospatial schema. */
export const GEOJSON_TYPE: Readonly<Record<GeospatialSchemaName, string>> = {
  point: 'Point',
  multiPoint: 'MultiPoint',
  lineString: 'LineString',
  multiLineString: 'MultiLineString',
  polygon: 'Polygon',
  multiPolygon: 'MultiPolygon',
};

function nestedList<T extends GraphQLOutputType | GraphQLInputType>(inner: T, depth: number): T {
  let type: T = new GraphQLNonNull(inner as never) as unknown as T;
  for (let i = 0; i < depth; i++) type = new GraphQLNonNull(new GraphQLList(type as never)) as unknown as T;
  return type;
}

const outputs = new Map<GeospatialSchemaName, GraphQLObjectType>();
const inputs = new Map<GeospatialSchemaName, GraphQLInputObjectType>();

export function geoOutput(name: GeospatialSchemaName): GraphQLObjectType {
  let type = outputs.get(name);
  if (!type) {
    type = new GraphQLObjectType({
      name: `Geo${GEOJSON_TYPE[name]}`,
      description: `A GeoJSON ${GEOJSON_TYPE[name]} (DTDL ${name}); positions are [longitude, latitude].`,
      fields: {
        type: { type: new GraphQLNonNull(GraphQLString), description: `The GeoJSON type, "${GEOJSON_TYPE[name]}".` },
        coordinates: {
          type: nestedList(GraphQLFloat as GraphQLOutputType, DEPTH[name]),
          description: 'The positions, each [longitude, latitude].',
        },
      },
    });
    outputs.set(name, type);
  }
  return type;
}

export function geoInput(name: GeospatialSchemaName): GraphQLInputObjectType {
  let type = inputs.get(name);
  if (!type) {
    type = new GraphQLInputObjectType({
      name: `Geo${GEOJSON_TYPE[name]}Input`,
      description: `A GeoJSON ${GEOJSON_TYPE[name]}; type is filled in when left out.`,
      fields: {
        type: { type: GraphQLString, description: `The GeoJSON type, "${GEOJSON_TYPE[name]}" (may be left out).` },
        coordinates: {
          type: nestedList(GraphQLFloat as GraphQLInputType, DEPTH[name]),
          description: 'The positions, each [longitude, latitude].',
        },
      },
    });
    inputs.set(name, type);
  }
  return type;
}

/** The GeoJSON value of an input (its `type` filled in). */
export function geoValue(
  name: GeospatialSchemaName,
  input: { type?: string | null; coordinates: unknown },
): { type: string; coordinates: unknown } {
  return { type: GEOJSON_TYPE[name], coordinates: input.coordinates };
}
