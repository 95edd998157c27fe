package org.bulkfhir.cluster;

import ca.uhn.fhir.batch2.model.JobWorkNotification;
import ca.uhn.fhir.batch2.model.JobWorkNotificationJsonMessage;
import ca.uhn.fhir.broker.api.IChannelProducer;
import ca.uhn.fhir.broker.jms.SpringMessagingProducerAdapter;
import ca.uhn.fhir.jpa.subscription.channel.impl.LinkedBlockingChannel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.messaging.Message;
import org.springframework.messaging.MessageChannel;
import org.springframework.messaging.support.ChannelInterceptor;

import java.util.List;

/**
 * Claims a work chunk for this node at the moment it is put on this node's batch2 work queue.
 *
 * <p>HAPI's maintenance pass moves a READY chunk to QUEUED and, in the same transaction, sends it
 * to the batch2 work channel ({@code JobInstanceProcessor.updateChunkAndSendToQueue}). With HAPI's
 * default broker that channel is an in-memory {@link LinkedBlockingChannel} of the sending node,
 * whose consumer threads then run the chunk; so the sender is the node that holds the chunk while
 * it is QUEUED and while it is IN_PROGRESS. This interceptor runs in {@code preSend}, on the
 * sending thread, inside that transaction: the claim commits with the QUEUED status or not at all,
 * so a QUEUED chunk of our job is never without its claim.
 *
 * <p>With another broker (an integrator's {@code IBrokerClient}) the queue outlives a node and any
 * node may consume a message; that broker redelivers what a dead node left, and nothing is
 * attached here.
 */
public class EnqueueClaimer implements ChannelInterceptor {

	private static final Logger LOG = LoggerFactory.getLogger(EnqueueClaimer.class);

	private final WorkClaims claims;
	private final String jobDefinitionId;
	private boolean attached;

	public EnqueueClaimer(WorkClaims claims, String jobDefinitionId) {
		this.claims = claims;
		this.jobDefinitionId = jobDefinitionId;
	}

	/** Attaches to the batch2 work channel among the given producers, if it is HAPI's in-memory one. */
	public EnqueueClaimer attachTo(List<IChannelProducer<?>> producers) {
		for (IChannelProducer<?> producer : producers) {
			if (producer instanceof SpringMessagingProducerAdapter<?> adapter
					&& JobWorkNotificationJsonMessage.class.equals(adapter.getMessageType())) {
				if (adapter.getSpringMessagingProducer() instanceof LinkedBlockingChannel channel) {
					adapter.addInterceptor(this);
					attached = true;
					LOG.info("Export work chunks are claimed by this node when queued on {}", channel.getChannelName());
				}
			}
		}
		if (!attached) {
			LOG.warn("The batch2 work channel is not HAPI's in-memory channel; bulkfhir does not track which node"
					+ " runs an export's work chunks and relies on the broker to redeliver those of a dead node");
		}
		return this;
	}

	public boolean isAttached() {
		return attached;
	}

	@Override
	public Message<?> preSend(Message<?> message, MessageChannel channel) {
		if (message.getPayload() instanceof JobWorkNotification work
				&& jobDefinitionId.equals(work.getJobDefinitionId())) {
			claims.claim(WorkClaims.Kind.CHUNK, work.getChunkId(), work.getInstanceId());
		}
		return message;
	}
}
