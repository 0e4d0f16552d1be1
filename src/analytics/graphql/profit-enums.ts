/**
 * The closed sets `predictProfit` takes, as GraphQL enums spelled as the demo's models spell them when they are
 * read (`ServiceOffering.line` is `Consulting`, `Client.industry` is `Banking`, `Employee.role` is `Partner`), so
 * that a client writes what it reads, and an unknown value ("banana") is refused by GraphQL with the valid ones
 * in the schema, instead of being predicted from as if nothing were known. Each value stands for the DTDL value
 * the analytics compute with (`consulting`). They copy the Enums of dtdl/ServiceOffering.json, Client.json and
 * Employee.json (the plugin's types are built before, and apart from, the types compiled from models);
 * test/graphql/profit-enums.test.ts fails when the two drift apart.
 */
import { registerEnumType } from 'type-graphql';

export const ServiceLine = {
  Consulting: 'consulting',
  AuditAndAssurance: 'auditAndAssurance',
  Tax: 'tax',
  TechnologyServices: 'technologyServices',
  FinancialAdvisory: 'financialAdvisory',
} as const;

export const ClientIndustry = {
  Banking: 'banking',
  Insurance: 'insurance',
  Retail: 'retail',
  Manufacturing: 'manufacturing',
  PublicSector: 'publicSector',
  Healthcare: 'healthcare',
  Technology: 'technology',
  Energy: 'energy',
} as const;

export const LeadRole = {
  Partner: 'partner',
  Director: 'director',
  Manager: 'manager',
  Senior: 'senior',
  Consultant: 'consultant',
  Analyst: 'analyst',
} as const;

/** Each enum with the DTDL Enum (and the compiled GraphQL enum) it copies. */
export const PROFIT_ENUMS = [
  { enum: ServiceLine, name: 'ServiceLine', copies: 'dtmi:twingraph:demo:ServiceOffering;1', property: 'line' },
  { enum: ClientIndustry, name: 'ClientIndustry', copies: 'dtmi:twingraph:demo:Client;1', property: 'industry' },
  { enum: LeadRole, name: 'LeadRole', copies: 'dtmi:twingraph:demo:Employee;1', property: 'role' },
] as const;

for (const { enum: values, name, copies, property } of PROFIT_ENUMS) {
  registerEnumType(values, {
    name,
    description: `The values of ${property} of ${copies}, spelled as that property reads.`,
    valuesConfig: Object.fromEntries(
      Object.entries(values).map(([key, value]) => [key, { description: `Stored as "${value}".` }]),
    ),
  });
}
