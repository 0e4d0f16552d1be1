/**
 * The analytics as a feature: the predictions on the demo's engagements and devices and the forecasts of
 * metric series (GraphQL plugin in ./graphql), served by the analytics service, which follows the change feed
 * from the moment the app starts it (after the seed: the demo's own writes are not news to it). Forecasts and
 * failure risks run on a pool of TWINGRAPH_PREDICTION_THREADS worker threads (./compute/pool.ts).
 */
import type { Feature } from '../feature';
import { analyticsAccess, ANALYTICS } from './graphql/access';
import { analyticsSchemaPlugin } from './graphql/plugin';
import { computePool } from './compute/pool';
import { AnalyticsService } from './service';

export const analyticsFeature: Feature = {
  name: ANALYTICS,
  schema: analyticsSchemaPlugin,
  open({ store, models, feed, config }) {
    const service = new AnalyticsService(store, () => models.current, {
      compute: computePool(config.predictionThreads),
    });
    return {
      context: analyticsAccess(service),
      start: () => service.follow(feed),
      stop: () => service.close(),
    };
  },
};
