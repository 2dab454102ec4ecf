// `nestjs-dynamodb-event-store/deploy`: the tables' CloudFormation template and the IAM policy, from code (the
// bin `nestjs-dynamodb-event-store-tables` prints the same).
export { cloudFormationTemplate, type CloudFormationOptions, type CloudFormationTemplate, type CloudFormationResource } from './cloudformation.js';
export { iamPolicy, type IamPolicyOptions, type IamPolicyDocument, type IamPolicyStatement } from './iam-policy.js';
export { IAM_GRANTS, type IamGrant, type IamNeed, type IamResourceKind } from './iam-grants.js';
