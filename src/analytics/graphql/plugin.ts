/**
 * The analytics' part of the GraphQL schema, as one plugin: the predictions' types and root fields, the
 * forecast of every metric series, and the prediction fields on the demo's engagements and devices. It applies
 * to a model set that holds the demo's engagement or device model: a server given other DTDL gets none of it.
 */
import type { ModelSet } from '../../dtdl';
import { DEMO_MODELS } from '../../demo/models';
import type { SchemaPlugin } from '../../graphql/plugin';
import { ANALYTICS } from './access';
import { metricSeriesFields, PREDICTION_RESOLVERS } from './prediction.resolver';
import { EngagementKpis, FailureRisk, MetricForecast, ProfitPrediction } from './prediction.types';
import { ANALYTICS_FIELDS } from './twin-fields';

export const analyticsSchemaPlugin: SchemaPlugin = {
  name: ANALYTICS,
  appliesTo: (models: ModelSet) =>
    models.interfaces.has(DEMO_MODELS.engagement) || models.interfaces.has(DEMO_MODELS.device),
  resolvers: PREDICTION_RESOLVERS,
  types: [EngagementKpis, ProfitPrediction, FailureRisk, MetricForecast],
  coreFields: { MetricSeries: metricSeriesFields },
  twinFields: ANALYTICS_FIELDS,
};
