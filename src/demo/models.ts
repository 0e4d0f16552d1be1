/**
 * The DTMIs of the demo domain's models (dtdl/), named once: the seed generator writes twins of them and the
 * analytics stage reads them. Nothing else in Twingraph knows the demo domain.
 */
export const DEMO_MODELS = {
  party: 'dtmi:twingraph:demo:Party;1',
  client: 'dtmi:twingraph:demo:Client;1',
  employee: 'dtmi:twingraph:demo:Employee;1',
  offering: 'dtmi:twingraph:demo:ServiceOffering;1',
  engagement: 'dtmi:twingraph:demo:Engagement;1',
  asset: 'dtmi:twingraph:demo:Asset;1',
  device: 'dtmi:twingraph:demo:Device;1',
} as const;
