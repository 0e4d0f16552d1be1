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
  /** Equal to this value. */
  eq?: AssetAssetType | null | undefined;
  /** true: the property is set; false: it is not. */
  exists?: boolean | null | undefined;
  /** Equal to one of these values. */
  in?: Array<AssetAssetType> | null | undefined;
  /** Not equal to this value (a twin without the property does not match). */
  ne?: AssetAssetType | null | undefined;
  /** Equal to none of these values (a twin without the property does not match). */
  notIn?: Array<AssetAssetType> | null | undefined;
};

/** Twins by their hosts relationships (dtmi:twingraph:demo:Asset;1): some, none or all of the related twins match. */
export type AssetHostsFilter = {
  /** Every related twin matches (true when there are none). */
  all?: DeviceWhere | null | undefined;
  /** No related twin matches. */
  none?: DeviceWhere | null | undefined;
  /** At least one related twin matches. */
  some?: DeviceWhere | null | undefined;
};

/** Conditions on Asset twins (dtmi:twingraph:demo:Asset;1); a field's conditions and the fields of one object are ANDed. */
export type AssetWhere = {
  /** Every one of these conditions holds. */
  AND?: Array<AssetWhere> | null | undefined;
  /** This condition does not hold. */
  NOT?: AssetWhere | null | undefined;
  /** At least one of these conditions holds. */
  OR?: Array<AssetWhere> | null | undefined;
  /** Conditions on assetType. */
  assetType?: AssetAssetTypeFilter | null | undefined;
  /** Conditions on hosts. */
  hosts?: AssetHostsFilter | null | undefined;
  /** The twin id. */
  id?: IdFilter | null | undefined;
  /** Conditions on name. */
  name?: StringFilter | null | undefined;
};

/** Conditions on a boolean. */
export type BooleanFilter = {
  /** Equal to this value. */
  eq?: boolean | null | undefined;
  /** true: the property is set; false: it is not. */
  exists?: boolean | null | undefined;
  /** Not equal to this value (a twin without the property does not match). */
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
  /** Every related twin matches (true when there are none). */
  all?: EngagementWhere | null | undefined;
  /** Only relationships whose properties match count. */
  edge?: ClientHasEngagementRelationshipWhere | null | undefined;
  /** No related twin matches. */
  none?: EngagementWhere | null | undefined;
  /** At least one related twin matches. */
  some?: EngagementWhere | null | undefined;
};

/** Conditions on the properties of hasEngagement relationships (dtmi:twingraph:demo:Client;1). */
export type ClientHasEngagementRelationshipWhere = {
  /** Every one of these conditions holds. */
  AND?: Array<ClientHasEngagementRelationshipWhere> | null | undefined;
  /** This condition does not hold. */
  NOT?: ClientHasEngagementRelationshipWhere | null | undefined;
  /** At least one of these conditions holds. */
  OR?: Array<ClientHasEngagementRelationshipWhere> | null | undefined;
  /** The $relationshipId. */
  id?: IdFilter | null | undefined;
  /** Conditions on since. */
  since?: StringFilter | null | undefined;
};

/** One entry of ClientTags (DTDL Map dtmi:twingraph:demo:Client:_contents:__tags:_schema;1). */
export type ClientTagsEntryInput = {
  /** The key (tag). */
  key: string;
  /** The value (value). */
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
  /** Every one of these conditions holds. */
  AND?: Array<ClientWhere> | null | undefined;
  /** This condition does not hold. */
  NOT?: ClientWhere | null | undefined;
  /** At least one of these conditions holds. */
  OR?: Array<ClientWhere> | null | undefined;
  /** Conditions on address. */
  address?: PostalAddressWhere | null | undefined;
  /** Conditions on country. */
  country?: StringFilter | null | undefined;
  /** Conditions on email. */
  email?: StringFilter | null | undefined;
  /** Conditions on hasEngagement. */
  hasEngagement?: ClientHasEngagementFilter | null | undefined;
  /** The twin id. */
  id?: IdFilter | null | undefined;
  /** Conditions on industry. */
  industry?: IndustryFilter | null | undefined;
  /** Conditions on name. */
  name?: StringFilter | null | undefined;
};

/** Conditions on a date and time. Values compare as ISO 8601 text: write them in UTC (…Z). */
export type DateTimeFilter = {
  /** Equal to this value. */
  eq?: string | null | undefined;
  /** true: the property is set; false: it is not. */
  exists?: boolean | null | undefined;
  /** Greater than this value. */
  gt?: string | null | undefined;
  /** Greater than or equal to this value. */
  gte?: string | null | undefined;
  /** Equal to one of these values. */
  in?: Array<string> | null | undefined;
  /** Less than this value. */
  lt?: string | null | undefined;
  /** Less than or equal to this value. */
  lte?: string | null | undefined;
  /** Not equal to this value (a twin without the property does not match). */
  ne?: string | null | undefined;
  /** Equal to none of these values (a twin without the property does not match). */
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
  /** Equal to this value. */
  eq?: DeviceState | null | undefined;
  /** true: the property is set; false: it is not. */
  exists?: boolean | null | undefined;
  /** Equal to one of these values. */
  in?: Array<DeviceState> | null | undefined;
  /** Not equal to this value (a twin without the property does not match). */
  ne?: DeviceState | null | undefined;
  /** Equal to none of these values (a twin without the property does not match). */
  notIn?: Array<DeviceState> | null | undefined;
};

/** Conditions on Device twins (dtmi:twingraph:demo:Device;1); a field's conditions and the fields of one object are ANDed. */
export type DeviceWhere = {
  /** Every one of these conditions holds. */
  AND?: Array<DeviceWhere> | null | undefined;
  /** This condition does not hold. */
  NOT?: DeviceWhere | null | undefined;
  /** At least one of these conditions holds. */
  OR?: Array<DeviceWhere> | null | undefined;
  /** Conditions on capacity. */
  capacity?: IntFilter | null | undefined;
  /** Conditions on deviceType. */
  deviceType?: StringFilter | null | undefined;
  /** Conditions on diagnostics. */
  diagnostics?: DiagnosticsComponentWhere | null | undefined;
  /** Conditions on firmwareVersion. */
  firmwareVersion?: StringFilter | null | undefined;
  /** The twin id. */
  id?: IdFilter | null | undefined;
  /** Conditions on inUse. */
  inUse?: IntFilter | null | undefined;
  /** Conditions on lastHeartbeat. */
  lastHeartbeat?: DateTimeFilter | null | undefined;
  /** Conditions on queueLength. */
  queueLength?: IntFilter | null | undefined;
  /** Conditions on state. */
  state?: DeviceStateFilter | null | undefined;
};

/** Conditions on the properties of a DiagnosticsComponent (DTDL interface dtmi:twingraph:demo:Diagnostics;1). */
export type DiagnosticsComponentWhere = {
  /** Conditions on errorCount. */
  errorCount?: IntFilter | null | undefined;
  /** Conditions on lastError. */
  lastError?: StringFilter | null | undefined;
  /** Conditions on selfTestPassed. */
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
  /** Equal to this value. */
  eq?: EmployeeRole | null | undefined;
  /** true: the property is set; false: it is not. */
  exists?: boolean | null | undefined;
  /** Equal to one of these values. */
  in?: Array<EmployeeRole> | null | undefined;
  /** Not equal to this value (a twin without the property does not match). */
  ne?: EmployeeRole | null | undefined;
  /** Equal to none of these values (a twin without the property does not match). */
  notIn?: Array<EmployeeRole> | null | undefined;
};

/** Conditions on Employee twins (dtmi:twingraph:demo:Employee;1); a field's conditions and the fields of one object are ANDed. */
export type EmployeeWhere = {
  /** Every one of these conditions holds. */
  AND?: Array<EmployeeWhere> | null | undefined;
  /** This condition does not hold. */
  NOT?: EmployeeWhere | null | undefined;
  /** At least one of these conditions holds. */
  OR?: Array<EmployeeWhere> | null | undefined;
  /** Conditions on country. */
  country?: StringFilter | null | undefined;
  /** Conditions on email. */
  email?: StringFilter | null | undefined;
  /** Conditions on hiredOn. */
  hiredOn?: StringFilter | null | undefined;
  /** Conditions on hourlyRate. */
  hourlyRate?: FloatFilter | null | undefined;
  /** The twin id. */
  id?: IdFilter | null | undefined;
  /** Conditions on name. */
  name?: StringFilter | null | undefined;
  /** Conditions on role. */
  role?: EmployeeRoleFilter | null | undefined;
};

/** Twins by their covers relationships (dtmi:twingraph:demo:Engagement;1): some, none or all of the related twins match. */
export type EngagementCoversFilter = {
  /** Every related twin matches (true when there are none). */
  all?: AssetWhere | null | undefined;
  /** Only relationships whose properties match count. */
  edge?: EngagementCoversRelationshipWhere | null | undefined;
  /** No related twin matches. */
  none?: AssetWhere | null | undefined;
  /** At least one related twin matches. */
  some?: AssetWhere | null | undefined;
};

/** Conditions on the properties of covers relationships (dtmi:twingraph:demo:Engagement;1). */
export type EngagementCoversRelationshipWhere = {
  /** Every one of these conditions holds. */
  AND?: Array<EngagementCoversRelationshipWhere> | null | undefined;
  /** This condition does not hold. */
  NOT?: EngagementCoversRelationshipWhere | null | undefined;
  /** At least one of these conditions holds. */
  OR?: Array<EngagementCoversRelationshipWhere> | null | undefined;
  /** The $relationshipId. */
  id?: IdFilter | null | undefined;
  /** Conditions on scope. */
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
  /** Every related twin matches (true when there are none). */
  all?: EmployeeWhere | null | undefined;
  /** No related twin matches. */
  none?: EmployeeWhere | null | undefined;
  /** At least one related twin matches. */
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
  /** Equal to this value. */
  eq?: EngagementStatus | null | undefined;
  /** true: the property is set; false: it is not. */
  exists?: boolean | null | undefined;
  /** Equal to one of these values. */
  in?: Array<EngagementStatus> | null | undefined;
  /** Not equal to this value (a twin without the property does not match). */
  ne?: EngagementStatus | null | undefined;
  /** Equal to none of these values (a twin without the property does not match). */
  notIn?: Array<EngagementStatus> | null | undefined;
};

/** Twins by their uses relationships (dtmi:twingraph:demo:Engagement;1): some, none or all of the related twins match. */
export type EngagementUsesFilter = {
  /** Every related twin matches (true when there are none). */
  all?: ServiceOfferingWhere | null | undefined;
  /** No related twin matches. */
  none?: ServiceOfferingWhere | null | undefined;
  /** At least one related twin matches. */
  some?: ServiceOfferingWhere | null | undefined;
};

/** Conditions on Engagement twins (dtmi:twingraph:demo:Engagement;1); a field's conditions and the fields of one object are ANDed. */
export type EngagementWhere = {
  /** Every one of these conditions holds. */
  AND?: Array<EngagementWhere> | null | undefined;
  /** This condition does not hold. */
  NOT?: EngagementWhere | null | undefined;
  /** At least one of these conditions holds. */
  OR?: Array<EngagementWhere> | null | undefined;
  /** Conditions on budget. */
  budget?: FloatFilter | null | undefined;
  /** Conditions on covers. */
  covers?: EngagementCoversFilter | null | undefined;
  /** Conditions on endDate. */
  endDate?: StringFilter | null | undefined;
  /** The twin id. */
  id?: IdFilter | null | undefined;
  /** Conditions on ledBy. */
  ledBy?: EngagementLedByFilter | null | undefined;
  /** Conditions on revenue. */
  revenue?: FloatFilter | null | undefined;
  /** Conditions on spend. */
  spend?: FloatFilter | null | undefined;
  /** Conditions on startDate. */
  startDate?: StringFilter | null | undefined;
  /** Conditions on status. */
  status?: EngagementStatusFilter | null | undefined;
  /** Conditions on title. */
  title?: StringFilter | null | undefined;
  /** Conditions on uses. */
  uses?: EngagementUsesFilter | null | undefined;
};

/** Conditions on a number. */
export type FloatFilter = {
  /** Equal to this value. */
  eq?: number | null | undefined;
  /** true: the property is set; false: it is not. */
  exists?: boolean | null | undefined;
  /** Greater than this value. */
  gt?: number | null | undefined;
  /** Greater than or equal to this value. */
  gte?: number | null | undefined;
  /** Equal to one of these values. */
  in?: Array<number> | null | undefined;
  /** Less than this value. */
  lt?: number | null | undefined;
  /** Less than or equal to this value. */
  lte?: number | null | undefined;
  /** Not equal to this value (a twin without the property does not match). */
  ne?: number | null | undefined;
  /** Equal to none of these values (a twin without the property does not match). */
  notIn?: Array<number> | null | undefined;
};

/** Conditions on an id. */
export type IdFilter = {
  /** Equal to this value. */
  eq?: string | number | null | undefined;
  /** Equal to one of these values. */
  in?: Array<string | number> | null | undefined;
  /** Not equal to this value (a twin without the property does not match). */
  ne?: string | number | null | undefined;
  /** Equal to none of these values (a twin without the property does not match). */
  notIn?: Array<string | number> | null | undefined;
  /** Starts with this text (case-sensitive). */
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
  /** Equal to this value. */
  eq?: Industry | null | undefined;
  /** true: the property is set; false: it is not. */
  exists?: boolean | null | undefined;
  /** Equal to one of these values. */
  in?: Array<Industry> | null | undefined;
  /** Not equal to this value (a twin without the property does not match). */
  ne?: Industry | null | undefined;
  /** Equal to none of these values (a twin without the property does not match). */
  notIn?: Array<Industry> | null | undefined;
};

/** Conditions on a whole number. */
export type IntFilter = {
  /** Equal to this value. */
  eq?: number | null | undefined;
  /** true: the property is set; false: it is not. */
  exists?: boolean | null | undefined;
  /** Greater than this value. */
  gt?: number | null | undefined;
  /** Greater than or equal to this value. */
  gte?: number | null | undefined;
  /** Equal to one of these values. */
  in?: Array<number> | null | undefined;
  /** Less than this value. */
  lt?: number | null | undefined;
  /** Less than or equal to this value. */
  lte?: number | null | undefined;
  /** Not equal to this value (a twin without the property does not match). */
  ne?: number | null | undefined;
  /** Equal to none of these values (a twin without the property does not match). */
  notIn?: Array<number> | null | undefined;
};

/** PostalAddress as input (DTDL Object dtmi:twingraph:demo:PostalAddress;1). */
export type PostalAddressInput = {
  /** DTDL field 'city'. */
  city?: string | null | undefined;
  /** DTDL field 'country'. */
  country?: string | null | undefined;
  /** DTDL field 'postalCode'. */
  postalCode?: string | null | undefined;
  /** DTDL field 'street'. */
  street?: string | null | undefined;
};

/** Conditions on the fields of PostalAddress (DTDL Object dtmi:twingraph:demo:PostalAddress;1). */
export type PostalAddressWhere = {
  /** Conditions on city. */
  city?: StringFilter | null | undefined;
  /** Conditions on country. */
  country?: StringFilter | null | undefined;
  /** Conditions on postalCode. */
  postalCode?: StringFilter | null | undefined;
  /** Conditions on street. */
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
  /** Equal to this value. */
  eq?: ServiceOfferingLine | null | undefined;
  /** true: the property is set; false: it is not. */
  exists?: boolean | null | undefined;
  /** Equal to one of these values. */
  in?: Array<ServiceOfferingLine> | null | undefined;
  /** Not equal to this value (a twin without the property does not match). */
  ne?: ServiceOfferingLine | null | undefined;
  /** Equal to none of these values (a twin without the property does not match). */
  notIn?: Array<ServiceOfferingLine> | null | undefined;
};

/** Conditions on ServiceOffering twins (dtmi:twingraph:demo:ServiceOffering;1); a field's conditions and the fields of one object are ANDed. */
export type ServiceOfferingWhere = {
  /** Every one of these conditions holds. */
  AND?: Array<ServiceOfferingWhere> | null | undefined;
  /** This condition does not hold. */
  NOT?: ServiceOfferingWhere | null | undefined;
  /** At least one of these conditions holds. */
  OR?: Array<ServiceOfferingWhere> | null | undefined;
  /** The twin id. */
  id?: IdFilter | null | undefined;
  /** Conditions on line. */
  line?: ServiceOfferingLineFilter | null | undefined;
  /** Conditions on name. */
  name?: StringFilter | null | undefined;
  /** Conditions on targetMargin. */
  targetMargin?: FloatFilter | null | undefined;
};

/** Conditions on a string. */
export type StringFilter = {
  /** Contains this text (case-sensitive). */
  contains?: string | null | undefined;
  /** Ends with this text (case-sensitive). */
  endsWith?: string | null | undefined;
  /** Equal to this value. */
  eq?: string | null | undefined;
  /** true: the property is set; false: it is not. */
  exists?: boolean | null | undefined;
  /** Greater than this value. */
  gt?: string | null | undefined;
  /** Greater than or equal to this value. */
  gte?: string | null | undefined;
  /** Equal to one of these values. */
  in?: Array<string> | null | undefined;
  /** Less than this value. */
  lt?: string | null | undefined;
  /** Less than or equal to this value. */
  lte?: string | null | undefined;
  /** Not equal to this value (a twin without the property does not match). */
  ne?: string | null | undefined;
  /** Equal to none of these values (a twin without the property does not match). */
  notIn?: Array<string> | null | undefined;
  /** Starts with this text (case-sensitive). */
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