import { dynamoDbConfig } from '../support/local-aws.js';
import { describeProjectionContract } from './projections.contract.js';

describeProjectionContract('DynamoDB Local of the global setup', dynamoDbConfig);
