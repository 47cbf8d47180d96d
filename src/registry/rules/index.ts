/**
 * Data contracts at registration: the shape of `ruleSet` and `metadata`, with
 * CEL and CEL_FIELD expressions compiled. The registry only validates rules;
 * they run in the client serdes.
 */
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
