/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';
/** DTDL Enum dtmi:twingraph:demo:Asset:_contents:__assetType:_schema;1. */
export type AssetAssetType =
  /** Stored as "building". */
  | 'Building'
  /** Stored as "dataCentre". */
  | 'DataCentre'
  /** Stored as "fleet". */
  | 'Fleet'
  /** Stored as "plant". */
  | 'Plant'
  /** Stored as "warehouse". */
  | 'Warehouse';

/** Conditions on AssetAssetType (DTDL Enum dtmi:twingraph:demo:Asset:_contents:__assetType:_schema;1). */
export type AssetAssetTypeFilter = {
  eq?: AssetAssetType | null | undefined;
  exists?: boolean | null | undefined;
  in?: Array<AssetAssetType> | null | undefined;
  ne?: AssetAssetType | null | undefined;
  notIn?: Array<AssetAssetType> | null | undefined;
};

/** Twins by their hosts relationships (dtmi:twingraph:demo:Asset;1): some, none or all of the related twins match. */
export type AssetHostsFilter = {
  all?: DeviceWhere | null | undefined;
  none?: DeviceWhere | null | undefined;
  some?: DeviceWhere | null | undefined;
};

/** Conditions on Asset twins (dtmi:twingraph:demo:Asset;1); a field's conditions and the fields of one object are ANDed. */
export type AssetWhere = {
  AND?: Array<AssetWhere> | null | undefined;
  NOT?: AssetWhere | null | undefined;
  OR?: Array<AssetWhere> | null | undefined;
  assetType?: AssetAssetTypeFilter | null | undefined;
  hosts?: AssetHostsFilter | null | undefined;
  /** The twin id. */
  id?: IdFilter | null | undefined;
  name?: StringFilter | null | undefined;
};

/** Conditions on a boolean. */
export type BooleanFilter = {
  eq?: boolean | null | undefined;
  exists?: boolean | null | undefined;
  ne?: boolean | null | undefined;
};

/** The properties and components of a new Client twin (dtmi:twingraph:demo:Client;1). */
export type ClientCreateInput = {
  /**
   * Head office
   *
   * Writable.
   *
   * DTDL Property 'address'.
   */
  address?: PostalAddressInput | null | undefined;
  /**
   * Country: ISO 3166-1 alpha-2 code.
   *
   * Writable. Inherited from dtmi:twingraph:demo:Party;1.
   *
   * DTDL Property 'country'.
   */
  country?: string | null | undefined;
  /**
   * Email address
   *
   * Writable. Inherited from dtmi:twingraph:demo:Party;1.
   *
   * DTDL Property 'email'.
   */
  email?: string | null | undefined;
  /**
   * Industry
   *
   * Writable.
   *
   * DTDL Property 'industry'.
   */
  industry?: Industry | null | undefined;
  /**
   * Name
   *
   * Writable. Inherited from dtmi:twingraph:demo:Party;1.
   *
   * DTDL Property 'name'.
   */
  name?: string | null | undefined;
  /**
   * Tags: Free-form labels, such as the account team's.
   *
   * Writable.
   *
   * DTDL Property 'tags'.
   */
  tags?: Array<ClientTagsEntryInput> | null | undefined;
};

/** Twins by their hasEngagement relationships (dtmi:twingraph:demo:Client;1): some, none or all of the related twins match. */
export type ClientHasEngagementFilter = {
  all?: EngagementWhere | null | undefined;
  /** Only relationships whose properties match count. */
  edge?: ClientHasEngagementRelationshipWhere | null | undefined;
  none?: EngagementWhere | null | undefined;
  some?: EngagementWhere | null | undefined;
};

/** Conditions on the properties of hasEngagement relationships (dtmi:twingraph:demo:Client;1). */
export type ClientHasEngagementRelationshipWhere = {
  AND?: Array<ClientHasEngagementRelationshipWhere> | null | undefined;
  NOT?: ClientHasEngagementRelationshipWhere | null | undefined;
  OR?: Array<ClientHasEngagementRelationshipWhere> | null | undefined;
  /** The $relationshipId. */
  id?: IdFilter | null | undefined;
  since?: StringFilter | null | undefined;
};

/** One entry of ClientTags (DTDL Map dtmi:twingraph:demo:Client:_contents:__tags:_schema;1). */
export type ClientTagsEntryInput = {
  key: string;
  value?: string | null | undefined;
};

/** Changes to a Client twin (dtmi:twingraph:demo:Client;1): the writable properties and the components' properties given are set, those given null are removed, the rest stay. Read-only properties are set with patchTwin. */
export type ClientUpdateInput = {
  /**
   * Head office
   *
   * Writable.
   *
   * DTDL Property 'address'.
   */
  address?: PostalAddressInput | null | undefined;
  /**
   * Country: ISO 3166-1 alpha-2 code.
   *
   * Writable. Inherited from dtmi:twingraph:demo:Party;1.
   *
   * DTDL Property 'country'.
   */
  country?: string | null | undefined;
  /**
   * Email address
   *
   * Writable. Inherited from dtmi:twingraph:demo:Party;1.
   *
   * DTDL Property 'email'.
   */
  email?: string | null | undefined;
  /**
   * Industry
   *
   * Writable.
   *
   * DTDL Property 'industry'.
   */
  industry?: Industry | null | undefined;
  /**
   * Name
   *
   * Writable. Inherited from dtmi:twingraph:demo:Party;1.
   *
   * DTDL Property 'name'.
   */
  name?: string | null | undefined;
  /**
   * Tags: Free-form labels, such as the account team's.
   *
   * Writable.
   *
   * DTDL Property 'tags'.
   */
  tags?: Array<ClientTagsEntryInput> | null | undefined;
};

/** Conditions on Client twins (dtmi:twingraph:demo:Client;1); a field's conditions and the fields of one object are ANDed. */
export type ClientWhere = {
  AND?: Array<ClientWhere> | null | undefined;
  NOT?: ClientWhere | null | undefined;
  OR?: Array<ClientWhere> | null | undefined;
  address?: PostalAddressWhere | null | undefined;
  country?: StringFilter | null | undefined;
  email?: StringFilter | null | undefined;
  hasEngagement?: ClientHasEngagementFilter | null | undefined;
  /** The twin id. */
  id?: IdFilter | null | undefined;
  industry?: IndustryFilter | null | undefined;
  name?: StringFilter | null | undefined;
};

/** Conditions on a date and time. Values compare as ISO 8601 text: write them in UTC (…Z). */
export type DateTimeFilter = {
  eq?: string | null | undefined;
  exists?: boolean | null | undefined;
  gt?: string | null | undefined;
  gte?: string | null | undefined;
  in?: Array<string> | null | undefined;
  lt?: string | null | undefined;
  lte?: string | null | undefined;
  ne?: string | null | undefined;
  notIn?: Array<string> | null | undefined;
};

/** DTDL Enum dtmi:twingraph:demo:DeviceState;1. */
export type DeviceState =
  /** Stored as "blocked". */
  | 'Blocked'
  /** Stored as "failed". */
  | 'Failed'
  /** Stored as "idle". */
  | 'Idle'
  /** Stored as "processing". */
  | 'Processing';

/** Conditions on DeviceState (DTDL Enum dtmi:twingraph:demo:DeviceState;1). */
export type DeviceStateFilter = {
  eq?: DeviceState | null | undefined;
  exists?: boolean | null | undefined;
  in?: Array<DeviceState> | null | undefined;
  ne?: DeviceState | null | undefined;
  notIn?: Array<DeviceState> | null | undefined;
};

/** Conditions on Device twins (dtmi:twingraph:demo:Device;1); a field's conditions and the fields of one object are ANDed. */
export type DeviceWhere = {
  AND?: Array<DeviceWhere> | null | undefined;
  NOT?: DeviceWhere | null | undefined;
  OR?: Array<DeviceWhere> | null | undefined;
  capacity?: IntFilter | null | undefined;
  deviceType?: StringFilter | null | undefined;
  diagnostics?: DiagnosticsComponentWhere | null | undefined;
  firmwareVersion?: StringFilter | null | undefined;
  /** The twin id. */
  id?: IdFilter | null | undefined;
  inUse?: IntFilter | null | undefined;
  lastHeartbeat?: DateTimeFilter | null | undefined;
  queueLength?: IntFilter | null | undefined;
  state?: DeviceStateFilter | null | undefined;
};

/** Conditions on the properties of a DiagnosticsComponent (DTDL interface dtmi:twingraph:demo:Diagnostics;1). */
export type DiagnosticsComponentWhere = {
  errorCount?: IntFilter | null | undefined;
  lastError?: StringFilter | null | undefined;
  selfTestPassed?: BooleanFilter | null | undefined;
};

/** DTDL Enum dtmi:twingraph:demo:Employee:_contents:__role:_schema;1. */
export type EmployeeRole =
  /** Stored as "analyst". */
  | 'Analyst'
  /** Stored as "consultant". */
  | 'Consultant'
  /** Stored as "director". */
  | 'Director'
  /** Stored as "manager". */
  | 'Manager'
  /** Stored as "partner". */
  | 'Partner'
  /** Stored as "senior". */
  | 'Senior';

/** Conditions on EmployeeRole (DTDL Enum dtmi:twingraph:demo:Employee:_contents:__role:_schema;1). */
export type EmployeeRoleFilter = {
  eq?: EmployeeRole | null | undefined;
  exists?: boolean | null | undefined;
  in?: Array<EmployeeRole> | null | undefined;
  ne?: EmployeeRole | null | undefined;
  notIn?: Array<EmployeeRole> | null | undefined;
};

/** Conditions on Employee twins (dtmi:twingraph:demo:Employee;1); a field's conditions and the fields of one object are ANDed. */
export type EmployeeWhere = {
  AND?: Array<EmployeeWhere> | null | undefined;
  NOT?: EmployeeWhere | null | undefined;
  OR?: Array<EmployeeWhere> | null | undefined;
  country?: StringFilter | null | undefined;
  email?: StringFilter | null | undefined;
  hiredOn?: StringFilter | null | undefined;
  hourlyRate?: FloatFilter | null | undefined;
  /** The twin id. */
  id?: IdFilter | null | undefined;
  name?: StringFilter | null | undefined;
  role?: EmployeeRoleFilter | null | undefined;
};

/** Twins by their covers relationships (dtmi:twingraph:demo:Engagement;1): some, none or all of the related twins match. */
export type EngagementCoversFilter = {
  all?: AssetWhere | null | undefined;
  /** Only relationships whose properties match count. */
  edge?: EngagementCoversRelationshipWhere | null | undefined;
  none?: AssetWhere | null | undefined;
  some?: AssetWhere | null | undefined;
};

/** Conditions on the properties of covers relationships (dtmi:twingraph:demo:Engagement;1). */
export type EngagementCoversRelationshipWhere = {
  AND?: Array<EngagementCoversRelationshipWhere> | null | undefined;
  NOT?: EngagementCoversRelationshipWhere | null | undefined;
  OR?: Array<EngagementCoversRelationshipWhere> | null | undefined;
  /** The $relationshipId. */
  id?: IdFilter | null | undefined;
  scope?: StringFilter | null | undefined;
};

/** The properties and components of a new Engagement twin (dtmi:twingraph:demo:Engagement;1). */
export type EngagementCreateInput = {
  /**
   * Budget: In EUR.
   *
   * Writable.
   *
   * DTDL Property 'budget'.
   */
  budget?: number | null | undefined;
  /**
   * End: Planned end while open; actual end once closed.
   *
   * Writable.
   *
   * DTDL Property 'endDate'.
   */
  endDate?: string | null | undefined;
  /**
   * Revenue: Billed so far (final once closed), in EUR.
   *
   * Writable.
   *
   * DTDL Property 'revenue'.
   */
  revenue?: number | null | undefined;
  /**
   * Spend: Cost incurred so far (final once closed), in EUR.
   *
   * Writable.
   *
   * DTDL Property 'spend'.
   */
  spend?: number | null | undefined;
  /**
   * Start
   *
   * Writable.
   *
   * DTDL Property 'startDate'.
   */
  startDate?: string | null | undefined;
  /**
   * Status
   *
   * Writable.
   *
   * DTDL Property 'status'.
   */
  status?: EngagementStatus | null | undefined;
  /**
   * Title
   *
   * Writable.
   *
   * DTDL Property 'title'.
   */
  title?: string | null | undefined;
};

/** Twins by their ledBy relationships (dtmi:twingraph:demo:Engagement;1): some, none or all of the related twins match. */
export type EngagementLedByFilter = {
  all?: EmployeeWhere | null | undefined;
  none?: EmployeeWhere | null | undefined;
  some?: EmployeeWhere | null | undefined;
};

/** DTDL Enum dtmi:twingraph:demo:Engagement:_contents:__status:_schema;1. */
export type EngagementStatus =
  /** Stored as "active". */
  | 'Active'
  /** Stored as "closed". */
  | 'Closed'
  /** Stored as "onHold". */
  | 'OnHold'
  /** Stored as "proposed". */
  | 'Proposed';

/** Conditions on EngagementStatus (DTDL Enum dtmi:twingraph:demo:Engagement:_contents:__status:_schema;1). */
export type EngagementStatusFilter = {
  eq?: EngagementStatus | null | undefined;
  exists?: boolean | null | undefined;
  in?: Array<EngagementStatus> | null | undefined;
  ne?: EngagementStatus | null | undefined;
  notIn?: Array<EngagementStatus> | null | undefined;
};

/** Twins by their uses relationships (dtmi:twingraph:demo:Engagement;1): some, none or all of the related twins match. */
export type EngagementUsesFilter = {
  all?: ServiceOfferingWhere | null | undefined;
  none?: ServiceOfferingWhere | null | undefined;
  some?: ServiceOfferingWhere | null | undefined;
};

/** Conditions on Engagement twins (dtmi:twingraph:demo:Engagement;1); a field's conditions and the fields of one object are ANDed. */
export type EngagementWhere = {
  AND?: Array<EngagementWhere> | null | undefined;
  NOT?: EngagementWhere | null | undefined;
  OR?: Array<EngagementWhere> | null | undefined;
  budget?: FloatFilter | null | undefined;
  covers?: EngagementCoversFilter | null | undefined;
  endDate?: StringFilter | null | undefined;
  /** The twin id. */
  id?: IdFilter | null | undefined;
  ledBy?: EngagementLedByFilter | null | undefined;
  revenue?: FloatFilter | null | undefined;
  spend?: FloatFilter | null | undefined;
  startDate?: StringFilter | null | undefined;
  status?: EngagementStatusFilter | null | undefined;
  title?: StringFilter | null | undefined;
  uses?: EngagementUsesFilter | null | undefined;
};

/** Conditions on a number. */
export type FloatFilter = {
  eq?: number | null | undefined;
  exists?: boolean | null | undefined;
  gt?: number | null | undefined;
  gte?: number | null | undefined;
  in?: Array<number> | null | undefined;
  lt?: number | null | undefined;
  lte?: number | null | undefined;
  ne?: number | null | undefined;
  notIn?: Array<number> | null | undefined;
};

/** Conditions on an id. */
export type IdFilter = {
  eq?: string | number | null | undefined;
  in?: Array<string | number> | null | undefined;
  ne?: string | number | null | undefined;
  notIn?: Array<string | number> | null | undefined;
  startsWith?: string | null | undefined;
};

/** DTDL Enum dtmi:twingraph:demo:Industry;1. */
export type Industry =
  /** Stored as "banking". */
  | 'Banking'
  /** Stored as "energy". */
  | 'Energy'
  /** Stored as "healthcare". */
  | 'Healthcare'
  /** Stored as "insurance". */
  | 'Insurance'
  /** Stored as "manufacturing". */
  | 'Manufacturing'
  /** Stored as "publicSector". */
  | 'PublicSector'
  /** Stored as "retail". */
  | 'Retail'
  /** Stored as "technology". */
  | 'Technology';

/** Conditions on Industry (DTDL Enum dtmi:twingraph:demo:Industry;1). */
export type IndustryFilter = {
  eq?: Industry | null | undefined;
  exists?: boolean | null | undefined;
  in?: Array<Industry> | null | undefined;
  ne?: Industry | null | undefined;
  notIn?: Array<Industry> | null | undefined;
};

/** Conditions on a whole number. */
export type IntFilter = {
  eq?: number | null | undefined;
  exists?: boolean | null | undefined;
  gt?: number | null | undefined;
  gte?: number | null | undefined;
  in?: Array<number> | null | undefined;
  lt?: number | null | undefined;
  lte?: number | null | undefined;
  ne?: number | null | undefined;
  notIn?: Array<number> | null | undefined;
};

/** PostalAddress as input (DTDL Object dtmi:twingraph:demo:PostalAddress;1). */
export type PostalAddressInput = {
  city?: string | null | undefined;
  country?: string | null | undefined;
  postalCode?: string | null | undefined;
  street?: string | null | undefined;
};

/** Conditions on the fields of PostalAddress (DTDL Object dtmi:twingraph:demo:PostalAddress;1). */
export type PostalAddressWhere = {
  city?: StringFilter | null | undefined;
  country?: StringFilter | null | undefined;
  postalCode?: StringFilter | null | undefined;
  street?: StringFilter | null | undefined;
};

/** DTDL Enum dtmi:twingraph:demo:ServiceOffering:_contents:__line:_schema;1. */
export type ServiceOfferingLine =
  /** Stored as "auditAndAssurance". */
  | 'AuditAndAssurance'
  /** Stored as "consulting". */
  | 'Consulting'
  /** Stored as "financialAdvisory". */
  | 'FinancialAdvisory'
  /** Stored as "tax". */
  | 'Tax'
  /** Stored as "technologyServices". */
  | 'TechnologyServices';

/** Conditions on ServiceOfferingLine (DTDL Enum dtmi:twingraph:demo:ServiceOffering:_contents:__line:_schema;1). */
export type ServiceOfferingLineFilter = {
  eq?: ServiceOfferingLine | null | undefined;
  exists?: boolean | null | undefined;
  in?: Array<ServiceOfferingLine> | null | undefined;
  ne?: ServiceOfferingLine | null | undefined;
  notIn?: Array<ServiceOfferingLine> | null | undefined;
};

/** Conditions on ServiceOffering twins (dtmi:twingraph:demo:ServiceOffering;1); a field's conditions and the fields of one object are ANDed. */
export type ServiceOfferingWhere = {
  AND?: Array<ServiceOfferingWhere> | null | undefined;
  NOT?: ServiceOfferingWhere | null | undefined;
  OR?: Array<ServiceOfferingWhere> | null | undefined;
  /** The twin id. */
  id?: IdFilter | null | undefined;
  line?: ServiceOfferingLineFilter | null | undefined;
  name?: StringFilter | null | undefined;
  targetMargin?: FloatFilter | null | undefined;
};

/** Conditions on a string. */
export type StringFilter = {
  contains?: string | null | undefined;
  endsWith?: string | null | undefined;
  eq?: string | null | undefined;
  /** true: the property is set; false: it is not. */
  exists?: boolean | null | undefined;
  gt?: string | null | undefined;
  gte?: string | null | undefined;
  in?: Array<string> | null | undefined;
  lt?: string | null | undefined;
  lte?: string | null | undefined;
  ne?: string | null | undefined;
  notIn?: Array<string> | null | undefined;
  startsWith?: string | null | undefined;
};

export type TwinByIdQueryVariables = Exact<{
  id: string | number;
}>;


export type TwinByIdQuery = { twin:
    | { id: string, etag: string, modelId: string }
    | { name: string | null, country: string | null, industry: Industry | null, id: string, etag: string, modelId: string, address: { city: string | null } | null, tags: Array<{ key: string, value: string | null }> | null }
    | { id: string, etag: string, modelId: string }
    | { id: string, etag: string, modelId: string }
    | { name: string | null, country: string | null, id: string, etag: string, modelId: string }
    | { id: string, etag: string, modelId: string }
    | { name: string | null, country: string | null, id: string, etag: string, modelId: string }
    | { id: string, etag: string, modelId: string }
    | { id: string, etag: string, modelId: string }
   | null };

export type ClientsWithEngagementsQueryVariables = Exact<{
  first?: number | null | undefined;
  after?: string | null | undefined;
  where?: ClientWhere | null | undefined;
}>;


export type ClientsWithEngagementsQuery = { clients: { totalCount: number | null, pageInfo: { hasNextPage: boolean, endCursor: string | null }, nodes: Array<{ id: string, name: string | null, hasEngagement: { totalCount: number | null, edges: Array<{ relationship: { since: string | null }, node: { id: string, title: string | null, status: EngagementStatus | null, budget: number | null } }> } }> } };

export type CreateClientMutationVariables = Exact<{
  id: string | number;
  input: ClientCreateInput;
}>;


export type CreateClientMutation = { createClient: { name: string | null, industry: Industry | null, id: string, etag: string } };

export type UpdateClientMutationVariables = Exact<{
  id: string | number;
  input: ClientUpdateInput;
  ifMatch?: string | null | undefined;
}>;


export type UpdateClientMutation = { updateClient: { name: string | null, industry: Industry | null, id: string, etag: string } };

export type CreateEngagementForMutationVariables = Exact<{
  client: string | number;
  id: string | number;
  input: EngagementCreateInput;
  since?: unknown;
}>;


export type CreateEngagementForMutation = { createEngagement: { id: string, etag: string }, createRelationship: { id: string, name: string, sourceId: string, targetId: string } };


export const TwinByIdDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"TwinById"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"twin"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"etag"}},{"kind":"Field","name":{"kind":"Name","value":"modelId"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Party"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"country"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Client"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"industry"}},{"kind":"Field","name":{"kind":"Name","value":"address"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"city"}}]}},{"kind":"Field","name":{"kind":"Name","value":"tags"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"key"}},{"kind":"Field","name":{"kind":"Name","value":"value"}}]}}]}}]}}]}}]} as unknown as DocumentNode<TwinByIdQuery, TwinByIdQueryVariables>;
export const ClientsWithEngagementsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"ClientsWithEngagements"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"first"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"after"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"where"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"ClientWhere"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"clients"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"Variable","name":{"kind":"Name","value":"first"}}},{"kind":"Argument","name":{"kind":"Name","value":"after"},"value":{"kind":"Variable","name":{"kind":"Name","value":"after"}}},{"kind":"Argument","name":{"kind":"Name","value":"where"},"value":{"kind":"Variable","name":{"kind":"Name","value":"where"}}},{"kind":"Argument","name":{"kind":"Name","value":"orderBy"},"value":{"kind":"ListValue","values":[{"kind":"ObjectValue","fields":[{"kind":"ObjectField","name":{"kind":"Name","value":"name"},"value":{"kind":"EnumValue","value":"ASC"}}]}]}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"totalCount"}},{"kind":"Field","name":{"kind":"Name","value":"pageInfo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"hasNextPage"}},{"kind":"Field","name":{"kind":"Name","value":"endCursor"}}]}},{"kind":"Field","name":{"kind":"Name","value":"nodes"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"hasEngagement"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"IntValue","value":"10"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"totalCount"}},{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"relationship"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"since"}}]}},{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"title"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"budget"}}]}}]}}]}}]}}]}}]}}]} as unknown as DocumentNode<ClientsWithEngagementsQuery, ClientsWithEngagementsQueryVariables>;
export const CreateClientDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"CreateClient"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ClientCreateInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"createClient"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}},{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}},{"kind":"Argument","name":{"kind":"Name","value":"ifNoneMatch"},"value":{"kind":"BooleanValue","value":true}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"etag"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Client"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"industry"}}]}}]}}]}}]} as unknown as DocumentNode<CreateClientMutation, CreateClientMutationVariables>;
export const UpdateClientDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"UpdateClient"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ClientUpdateInput"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"ifMatch"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"updateClient"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}},{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}},{"kind":"Argument","name":{"kind":"Name","value":"ifMatch"},"value":{"kind":"Variable","name":{"kind":"Name","value":"ifMatch"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"etag"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Client"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"industry"}}]}}]}}]}}]} as unknown as DocumentNode<UpdateClientMutation, UpdateClientMutationVariables>;
export const CreateEngagementForDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"CreateEngagementFor"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"client"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"EngagementCreateInput"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"since"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"JSON"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"createEngagement"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}},{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}},{"kind":"Argument","name":{"kind":"Name","value":"ifNoneMatch"},"value":{"kind":"BooleanValue","value":true}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"etag"}}]}},{"kind":"Field","name":{"kind":"Name","value":"createRelationship"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"sourceId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"client"}}},{"kind":"Argument","name":{"kind":"Name","value":"name"},"value":{"kind":"StringValue","value":"hasEngagement","block":false}},{"kind":"Argument","name":{"kind":"Name","value":"targetId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}},{"kind":"Argument","name":{"kind":"Name","value":"properties"},"value":{"kind":"Variable","name":{"kind":"Name","value":"since"}}},{"kind":"Argument","name":{"kind":"Name","value":"ifNoneMatch"},"value":{"kind":"BooleanValue","value":true}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"sourceId"}},{"kind":"Field","name":{"kind":"Name","value":"targetId"}}]}}]}}]} as unknown as DocumentNode<CreateEngagementForMutation, CreateEngagementForMutationVariables>;