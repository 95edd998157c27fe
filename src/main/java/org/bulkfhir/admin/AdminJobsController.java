package org.bulkfhir.admin;

import ca.uhn.fhir.batch2.api.IJobCoordinator;
import ca.uhn.fhir.batch2.model.JobInstance;
import ca.uhn.fhir.batch2.model.StatusEnum;
import ca.uhn.fhir.context.FhirContext;
import jakarta.servlet.http.HttpServletResponse;
import org.bulkfhir.auth.ClientRegistry;
import org.bulkfhir.auth.RegisteredClient;
import org.bulkfhir.export.ExportAdmission;
import org.bulkfhir.export.ExportJob;
import org.bulkfhir.export.ExportJobParameters;
import org.bulkfhir.export.ExportJobService;
import org.bulkfhir.export.ExportReport;
import org.bulkfhir.output.ExportedFile;
import org.bulkfhir.jobstore.ExportJobStore;
import org.bulkfhir.storage.ExportFileStore;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/** Export jobs for operators: {@code /admin/api/jobs}. */
@RestController
@RequestMapping(path = "/admin/api/jobs", produces = "application/json")
public class AdminJobsController {

	private final ExportJobService jobs;
	private final IJobCoordinator coordinator;
	private final ExportFileStore store;
	private final ExportJobStore jobStore;
	private final FhirContext fhirContext;
	private final ClientRegistry clients;
	private final Duration expiry;

	public AdminJobsController(
			ExportJobService jobs,
			IJobCoordinator coordinator,
			ExportFileStore store,
			ExportJobStore jobStore,
			FhirContext fhirContext,
			ClientRegistry clients,
			Duration expiry) {
		this.jobs = jobs;
		this.coordinator = coordinator;
		this.store = store;
		this.jobStore = jobStore;
		this.fhirContext = fhirContext;
		this.clients = clients;
		this.expiry = expiry;
	}

	@GetMapping
	public Map<String, Object> list(
			@RequestParam(required = false) String state,
			@RequestParam(required = false) String client,
			@RequestParam(required = false) String group,
			@RequestParam(defaultValue = "0") int page,
			@RequestParam(defaultValue = "20") int size) {
		int pageSize = Math.max(1, Math.min(size, 100));
		int pageNumber = Math.max(0, page);
		ExportJobStore.JobPage found = jobStore.page(filter(state, client, group), (long) pageNumber * pageSize, pageSize);
		int total = found.total();
		List<String> ids = found.ids();
		List<Map<String, Object>> summaries = new ArrayList<>();
		Map<String, Optional<String>> names = new HashMap<>();
		for (String id : ids) {
			jobs.findAny(id).ifPresent(job -> summaries.add(summary(job, names)));
		}
		Map<String, Object> result = new LinkedHashMap<>();
		result.put("total", total);
		result.put("page", pageNumber);
		result.put("size", pageSize);
		result.put("jobs", summaries);
		return result;
	}

	/**
	 * The list's filters, paged in SQL by the job store: a state (CANCELLED also covers a cancel
	 * request batch2 has not acted on yet, as {@link #summary} shows it), a client by id or registered
	 * name, a Group id; each case-insensitive, as the UI offers them.
	 */
	private ExportJobStore.JobFilter filter(String state, String client, String group) {
		String wantedState = state != null && !state.isBlank() ? state.strip().toUpperCase(Locale.ROOT) : null;
		Set<String> keys = new LinkedHashSet<>();
		String keyLowerCase = null;
		if (client != null && !client.isBlank()) {
			String wanted = client.strip();
			keys.add(ExportAdmission.clientKey(wanted));
			for (RegisteredClient registered : clients.list()) {
				if (wanted.equalsIgnoreCase(registered.clientId()) || wanted.equalsIgnoreCase(registered.name())) {
					keys.add(ExportAdmission.clientKey(registered.clientId()));
				}
			}
			keyLowerCase = ExportAdmission.clientKey(wanted).toLowerCase(Locale.ROOT);
		}
		String groupKey = group != null && !group.isBlank() ? ExportAdmission.groupKey(group.strip()) : null;
		return new ExportJobStore.JobFilter(wantedState, keys, keyLowerCase, groupKey);
	}

	@GetMapping("/{id}")
	public Map<String, Object> detail(@PathVariable String id) throws IOException {
		ExportJob job = find(id);
		Map<String, Object> detail = summary(job, new HashMap<>());
		ExportJobParameters params = job.parameters();
		Map<String, Object> parameters = new LinkedHashMap<>();
		parameters.put("request", params.getRequestUrl());
		parameters.put("outputFormat", params.getOutputFormat());
		parameters.put("since", instant(params.getSince()));
		parameters.put("until", instant(params.getUntil()));
		parameters.put("typeFilters", params.getTypeFilters());
		parameters.put("allowPartialManifests", params.isAllowPartialManifests());
		parameters.put("organizeOutputBy", params.getOrganizeOutputBy());
		parameters.put("patients", params.getPatientIds());
		parameters.put("elements", params.getElements());
		parameters.put("transactionTime", instant(params.getTransactionTime()));
		detail.put("parameters", parameters);
		detail.put("errorMessage", job.instance().getErrorMessage());
		ExportReport report = job.report();
		if (report != null) {
			Map<String, Map<String, Long>> perType = new TreeMap<>();
			List<Map<String, Object>> files = new ArrayList<>();
			for (ExportedFile file : report.getFiles()) {
				// organizeOutputBy=Patient: files of patient blocks hold every type.
				String type = file.getType() != null ? file.getType() : "(patient blocks)";
				Map<String, Long> counts = perType.computeIfAbsent(type, t -> new LinkedHashMap<>());
				counts.merge("resources", file.getCount(), Long::sum);
				counts.merge("files", 1L, Long::sum);
				files.add(file(file));
			}
			detail.put("perType", perType);
			detail.put("files", files);
			// Resources whose stored form could not be spliced and that HAPI read (and encoded) instead.
			detail.put("readByHapi", report.getReadByHapi());
			List<Map<String, Object>> errors = new ArrayList<>();
			for (ExportedFile file : report.getErrorFiles()) {
				Map<String, Object> error = file(file);
				error.put("diagnostics", diagnostics(job.id(), file.getName()));
				errors.add(error);
			}
			detail.put("errors", errors);
			// With _since: the files of Bundles that list the deletions since (the manifest's "deleted").
			detail.put("deletedFiles", report.getDeletedFiles().stream().map(f -> file(f)).toList());
		}
		List<Map<String, Object>> chunks = new ArrayList<>();
		coordinator.getWorkChunkStatus(job.id()).forEach(status -> {
			Map<String, Object> chunk = new LinkedHashMap<>();
			chunk.put("step", status.stepId);
			chunk.put("state", String.valueOf(status.status));
			chunk.put("count", status.totalChunks);
			chunks.add(chunk);
		});
		detail.put("workChunks", chunks);
		return detail;
	}

	@DeleteMapping("/{id}")
	public ResponseEntity<Map<String, Object>> delete(@PathVariable String id) {
		ExportJob job = find(id);
		if (job.instance().isCancelled() || job.instance().getStatus() == StatusEnum.CANCELLED) {
			jobs.removeNow(job.id());
		} else {
			jobs.delete(job);
		}
		return ResponseEntity.accepted().body(Map.of("id", id, "result", "cancelled or deleted"));
	}

	@GetMapping(path = "/{id}/files/{name}", produces = "application/fhir+ndjson")
	public void download(
			@PathVariable String id, @PathVariable String name, HttpServletResponse response)
			throws IOException {
		ExportJob job = find(id);
		Optional<InputStream> content = listed(job, name) ? store.open(job.id(), name) : Optional.empty();
		if (content.isEmpty()) {
			throw new ResponseStatusException(HttpStatus.NOT_FOUND, "No such file");
		}
		response.setContentType("application/fhir+ndjson");
		response.setHeader("Content-Disposition", "attachment; filename=\"" + name + "\"");
		try (InputStream in = content.get()) {
			in.transferTo(response.getOutputStream());
		}
	}

	@ExceptionHandler(ResponseStatusException.class)
	public ResponseEntity<Map<String, String>> status(ResponseStatusException e) {
		return AdminErrors.of(e);
	}

	private ExportJob find(String id) {
		return jobs.findAny(id).orElseThrow(() -> new ResponseStatusException(HttpStatus.NOT_FOUND, "No job " + id));
	}

	private static boolean listed(ExportJob job, String name) {
		ExportReport report = job.report();
		return report != null
				&& (report.getFiles().stream().anyMatch(f -> f.getName().equals(name))
						|| report.getErrorFiles().stream().anyMatch(f -> f.getName().equals(name))
						|| report.getDeletedFiles().stream().anyMatch(f -> f.getName().equals(name)));
	}

	/** {@code names} caches client names by id for one request. */
	private Map<String, Object> summary(ExportJob job, Map<String, Optional<String>> names) {
		JobInstance instance = job.instance();
		ExportJobParameters params = job.parameters();
		ExportReport report = job.report();
		boolean cancelled = instance.isCancelled() || instance.getStatus() == StatusEnum.CANCELLED;
		Map<String, Object> summary = new LinkedHashMap<>();
		summary.put("id", job.id());
		summary.put("client", params.getClientId());
		// The registered name (configured or registered through the API alike); null for a client
		// that is not registered here (an external issuer's, or one revoked since).
		summary.put("clientName", params.getClientId() == null ? null
				: names.computeIfAbsent(params.getClientId(), id -> clients.find(id).map(RegisteredClient::name))
						.orElse(null));
		summary.put("level", params.getLevel().name());
		summary.put("group", params.getGroupId());
		summary.put("types", params.getTypes());
		summary.put("state", cancelled ? "CANCELLED" : instance.getStatus().name());
		int progress = instance.getStatus() == StatusEnum.COMPLETED
				? 100
				: (int) Math.floor(Math.max(0, Math.min(1, instance.getProgress())) * 100);
		summary.put("progress", Math.min(progress, instance.getStatus() == StatusEnum.COMPLETED ? 100 : 99));
		summary.put("created", instant(instance.getCreateTime()));
		summary.put("completed", report == null ? null : instant(report.getCompletedAt()));
		Instant expires = job.expiresAt(expiry);
		summary.put("expires", expires == null ? null : expires.toString());
		summary.put("resources", report == null ? 0 : report.totalResources());
		summary.put("files", report == null ? 0 : report.getFiles().size());
		summary.put("errors", report == null ? 0 : report.getErrorFiles().stream().mapToLong(ExportedFile::getCount).sum());
		return summary;
	}

	private Map<String, Object> file(ExportedFile file) {
		Map<String, Object> view = new LinkedHashMap<>();
		view.put("type", file.getType());
		view.put("name", file.getName());
		view.put("count", file.getCount());
		view.put("bytes", file.getBytes());
		return view;
	}

	private List<String> diagnostics(String jobId, String name) throws IOException {
		List<String> messages = new ArrayList<>();
		Optional<InputStream> content = store.open(jobId, name);
		if (content.isEmpty()) {
			return messages;
		}
		try (BufferedReader reader = new BufferedReader(new InputStreamReader(content.get(), StandardCharsets.UTF_8))) {
			String line;
			while ((line = reader.readLine()) != null && messages.size() < 100) {
				OperationOutcome outcome = fhirContext.newJsonParser().parseResource(OperationOutcome.class, line);
				outcome.getIssue().forEach(issue -> messages.add(issue.getDiagnostics()));
			}
		}
		return messages;
	}

	private static String instant(Long millis) {
		return millis == null ? null : Instant.ofEpochMilli(millis).toString();
	}

	private static String instant(Date date) {
		return date == null ? null : date.toInstant().toString();
	}
}
