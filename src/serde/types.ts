/**
 * The data-contract shapes the serde works with, as the registry returns
 * them: rules, rule sets, metadata, references and a registered schema.
 */

export type SchemaType = 'AVRO' | 'JSON' | 'PROTOBUF';

export interface Rule {
  name: string;
  doc?: string;
  kind: 'CONDITION' | 'TRANSFORM';
  mode: 'UPGRADE' | 'DOWNGRADE' | 'UPDOWN' | 'WRITE' | 'READ' | 'WRITEREAD';
  type: string;
  tags?: string[];
  params?: Record<string, string>;
  expr?: string;
  onSuccess?: string;
  onFailure?: string;
  disabled?: boolean;
}

export interface RuleSet {
  migrationRules?: Rule[];
  domainRules?: Rule[];
  encodingRules?: Rule[];
}

export interface Metadata {
  tags?: Record<string, string[]>;
  properties?: Record<string, string>;
  sensitive?: string[];
}

export interface SchemaReference {
  name: string;
  subject: string;
  version: number;
}

/** A schema as the registry returns it (GET /subjects/{s}/versions/{v} shape; subject/version absent when fetched by id). */
export interface RegisteredSchema {
  id: number;
  subject?: string;
  version?: number;
  schemaType: SchemaType;
  schema: string;
  references: SchemaReference[];
  metadata?: Metadata;
  ruleSet?: RuleSet;
}

export type SubjectNameStrategy = 'TopicNameStrategy' | 'RecordNameStrategy' | 'TopicRecordNameStrategy';
