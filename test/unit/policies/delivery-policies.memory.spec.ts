import { describeDeliveryPolicies } from '../../support/delivery-policy.cases.js';

describeDeliveryPolicies({ name: 'the embedded broker', options: {} });
