// DescribeConfigs (32): TOPIC, BROKER and BROKER_LOGGER resources with values, sources, synonyms,
// types and documentation as Kafka's ConfigHelper reports them. One result per resource; a bad
// resource never fails the others.
import { ConfigResourceType, loggerLevels, parseJavaInt } from '../broker/config-admin.js'
import type { ApiHandler, RequestContext } from '../broker/handler.js'
import { ConfigSource, ConfigType } from '../config/topic-config-catalog-types.js'
import { describeBrokerConfigs, describeTopicConfigs, type DescribedConfig } from '../config/topic-config-catalog-describe.js'
import { ErrorCode, KafkaError } from '../protocol/errors.js'
import {
  DescribeConfigsRequest,
  type DescribeConfigsRequestDescribeConfigsResource as Resource,
} from '../protocol/generated/describe-configs-request.js'
import {
  DescribeConfigsResponse,
  type DescribeConfigsResponseDescribeConfigsResult as Result,
} from '../protocol/generated/describe-configs-response.js'
import { validateTopicName } from '../storage/topic-names.js'

function result(r: Resource, errorCode: number, errorMessage: string | null, configs: DescribedConfig[] = []): Result {
  return { errorCode, errorMessage, resourceType: r.resourceType, resourceName: r.resourceName, configs }
}

function describeTopic(ctx: RequestContext, r: Resource, req: DescribeConfigsRequest): Result {
  const nameError = validateTopicName(r.resourceName)
  if (nameError !== null) return result(r, ErrorCode.INVALID_TOPIC_EXCEPTION, nameError)
  const topic = ctx.broker.logs.getTopic(r.resourceName)
  // Kafka sends no message with this one.
  if (!topic) return result(r, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, null)
  const configs = describeTopicConfigs(topic.configs, ctx.broker.dynamicConfigs.layers(), {
    includeSynonyms: req.includeSynonyms,
    includeDocumentation: req.includeDocumentation,
    keys: r.configurationKeys,
  })
  return result(r, ErrorCode.NONE, null, configs)
}

function describeBroker(ctx: RequestContext, r: Resource, req: DescribeConfigsRequest): Result {
  const { nodeId } = ctx.broker
  let perBroker = false
  if (r.resourceName !== '') {
    const id = parseJavaInt(r.resourceName)
    if (id === null) throw new KafkaError(ErrorCode.INVALID_REQUEST, `Broker id must be an integer, but it is: ${r.resourceName}`)
    if (id !== nodeId) {
      throw new KafkaError(ErrorCode.INVALID_REQUEST, `Unexpected broker id, expected ${nodeId} or empty string, but received ${r.resourceName}`)
    }
    perBroker = true
  }
  const configs = describeBrokerConfigs(ctx.broker.dynamicConfigs.layers(), {
    perBroker,
    includeSynonyms: req.includeSynonyms,
    includeDocumentation: req.includeDocumentation,
    keys: r.configurationKeys,
  })
  return result(r, ErrorCode.NONE, null, configs)
}

function describeLoggers(ctx: RequestContext, r: Resource): Result {
  const { nodeId } = ctx.broker
  if (r.resourceName === '') throw new KafkaError(ErrorCode.INVALID_REQUEST, 'Broker id must not be empty')
  const id = parseJavaInt(r.resourceName)
  if (id === null) throw new KafkaError(ErrorCode.INVALID_REQUEST, `Broker id must be an integer, but it is: ${r.resourceName}`)
  if (id !== nodeId) throw new KafkaError(ErrorCode.INVALID_REQUEST, `Unexpected broker id, expected ${nodeId} but received ${r.resourceName}`)
  const keys = r.configurationKeys
  const configs: DescribedConfig[] = Object.entries(loggerLevels(ctx.broker.logger))
    .filter(([name]) => !keys || keys.length === 0 || keys.includes(name))
    .map(([name, value]) => ({
      name,
      value,
      readOnly: false,
      configSource: ConfigSource.DYNAMIC_BROKER_LOGGER_CONFIG,
      isSensitive: false,
      synonyms: [],
      configType: ConfigType.UNKNOWN,
      documentation: null,
    }))
  return result(r, ErrorCode.NONE, null, configs)
}

function describeOne(ctx: RequestContext, r: Resource, req: DescribeConfigsRequest): Result {
  try {
    switch (r.resourceType) {
      case ConfigResourceType.TOPIC:
        return describeTopic(ctx, r, req)
      case ConfigResourceType.BROKER:
        return describeBroker(ctx, r, req)
      case ConfigResourceType.BROKER_LOGGER:
        return describeLoggers(ctx, r)
      default:
        return result(r, ErrorCode.INVALID_REQUEST, `Unsupported resource type: ${r.resourceType}`)
    }
  } catch (err) {
    if (err instanceof KafkaError) return result(r, err.errorCode, err.message)
    ctx.broker.logger.error({ err, resourceType: r.resourceType, resourceName: r.resourceName }, 'unexpected error describing configs')
    return result(r, ErrorCode.UNKNOWN_SERVER_ERROR, 'Unexpected error; see the broker log.')
  }
}

export const handler: ApiHandler<DescribeConfigsRequest, DescribeConfigsResponse> = {
  apiKey: 32,
  request: DescribeConfigsRequest,
  response: DescribeConfigsResponse,
  minVersion: 1,
  maxVersion: 4,

  handle(ctx, req) {
    return { throttleTimeMs: 0, results: req.resources.map((r) => describeOne(ctx, r, req)) }
  },

  errorResponse: (_ctx, req, errorCode) => ({
    throttleTimeMs: 0,
    results: req.resources.map((r) => result(r, errorCode, null)),
  }),
}
