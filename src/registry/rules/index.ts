/**
 * Data contracts at registration: the shape of `ruleSet` and `metadata`, with
 * CEL and CEL_FIELD expressions compiled (validate.ts), and their inheritance
 * from config defaults/overrides and the previous version (merge.ts). The
 * registry only validates and stores rules; they run in the client serdes.
 */

export {
  type Contract,
  type ContractConfig,
  contractKey,
  contractsMatch,
  inheritContract,
  mergeMetadata,
  mergeRuleSets,
} from './merge.ts';
export {
  celError,
  invalidMetadata,
  invalidRuleSet,
  type Metadata,
  type Rule,
  type RuleKind,
  type RuleMode,
  type RuleSet,
  splitCelExpr,
  validateMetadata,
  validateRule,
  validateRuleSet,
} from './validate.ts';
