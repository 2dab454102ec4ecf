import { dynamoDbFeedFixture } from './dynamodb-feed-fixture.js';
import { describeFeedContract } from './feed.contract.js';
import { describeFeedFaults } from './feed-faults.contract.js';

const fixture = () => dynamoDbFeedFixture('feed');

describeFeedContract('DynamoDB Local', fixture);
describeFeedFaults('DynamoDB Local', fixture);
