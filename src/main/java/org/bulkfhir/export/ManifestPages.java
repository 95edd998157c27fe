package org.bulkfhir.export;

import org.bulkfhir.output.ExportedFile;
import ca.uhn.fhir.batch2.api.IJobPersistence;
import ca.uhn.fhir.batch2.model.StatusEnum;
import ca.uhn.fhir.batch2.model.WorkChunk;
import ca.uhn.fhir.model.api.IModelJson;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.bulkfhir.storage.ExportFileStore;
import org.springframework.transaction.support.TransactionTemplate;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The manifest pages of an export started with {@code allowPartialManifests=true} (Bulk Data STU3): each
 * page lists up to {@code manifest-page-size} files, and links to the next page once that has files. While
 * the export runs, the files its work chunks have finished are listed too.
 *
 * <p>STU3 forbids changing a manifest once returned, except for adding the {@code link} to the next page.
 * So a page is fixed the first time it is asked for: it lists the files complete then and not on an earlier
 * page (up to the page size), and is kept in the file store next to the files ({@code manifest-page-N.json},
 * never listed, never served as a file); files completed later go to later pages.
 */
public class ManifestPages {

	/** Which array of the manifest a file goes into. */
	public enum Kind {
		OUTPUT,
		ERROR,
		DELETED
	}

	/** One file of a page. */
	public static class Entry implements IModelJson {
		@JsonProperty("kind")
		private Kind kind;

		@JsonProperty("file")
		private ExportedFile file;

		public Entry() {}

		Entry(Kind kind, ExportedFile file) {
			this.kind = kind;
			this.file = file;
		}

		public Kind getKind() {
			return kind;
		}

		public ExportedFile getFile() {
			return file;
		}
	}

	/** A page's files, and whether files beyond it are available now (then the page links to the next). */
	public record Page(int number, List<Entry> entries, boolean more) {}

	private static final String WRITE_STEP_OUTPUT = "manifest";
	private static final TypeReference<List<Entry>> ENTRIES = new TypeReference<>() {};

	private final IJobPersistence persistence;
	private final TransactionTemplate transactions;
	private final ExportFileStore store;
	private final int pageSize;
	private final ObjectMapper json = new ObjectMapper();
	/** Striped by job id: a fixed set of locks, so polled jobs leave nothing behind. */
	private final Object[] locks = Stream.generate(Object::new).limit(64).toArray();

	public ManifestPages(IJobPersistence persistence, TransactionTemplate transactions, ExportFileStore store, int pageSize) {
		this.persistence = persistence;
		this.transactions = transactions;
		this.store = store;
		this.pageSize = Math.max(1, pageSize);
	}

	static String pageFileName(int number) {
		return "manifest-page-" + number + ".json";
	}

	/**
	 * Page {@code number} (from 1), fixed now if it was not yet; empty while it would have no file (the
	 * first page of a completed export that wrote no file at all is an empty page).
	 */
	public Optional<Page> page(ExportJob job, int number) {
		Object lock = locks[Math.floorMod(job.id().hashCode(), locks.length)];
		synchronized (lock) {
			List<List<Entry>> fixed = fixedPages(job.id());
			Set<String> listed = names(fixed);
			List<Entry> available = available(job).stream()
					.filter(e -> !listed.contains(e.getFile().getName()))
					.toList();
			if (number <= fixed.size()) {
				return Optional.of(new Page(number, fixed.get(number - 1), number < fixed.size() || !available.isEmpty()));
			}
			if (number > fixed.size() + 1) {
				return Optional.empty();
			}
			if (available.isEmpty()) {
				boolean emptyExport = number == 1 && isComplete(job);
				return emptyExport ? Optional.of(new Page(1, List.of(), false)) : Optional.empty();
			}
			List<Entry> entries = new ArrayList<>(available.subList(0, Math.min(pageSize, available.size())));
			fix(job.id(), number, entries);
			return Optional.of(new Page(number, entries, available.size() > entries.size()));
		}
	}

	/** Whether a file was listed on a page already returned: it may be downloaded before the export completes. */
	public boolean isListed(ExportJob job, String fileName) {
		return names(fixedPages(job.id())).contains(fileName);
	}

	private static boolean isComplete(ExportJob job) {
		return job.instance().getStatus() == StatusEnum.COMPLETED && job.report() != null;
	}

	/** The files complete now: the report's once the export completed, else those of the finished chunks. */
	private List<Entry> available(ExportJob job) {
		List<Entry> entries = new ArrayList<>();
		ExportReport report = job.report();
		if (isComplete(job)) {
			report.getFiles().forEach(f -> entries.add(new Entry(Kind.OUTPUT, f)));
			report.getErrorFiles().forEach(f -> entries.add(new Entry(Kind.ERROR, f)));
			report.getDeletedFiles().forEach(f -> entries.add(new Entry(Kind.DELETED, f)));
			return entries;
		}
		if (job.instance().getStatus().isEnded()) {
			return entries;
		}
		// Each finished write-step chunk left its result as a work chunk of the manifest step; a chunk run twice
		// (recovery) counts once, as the manifest step counts it.
		Map<Integer, ChunkResult> bySequence = new LinkedHashMap<>();
		transactions.executeWithoutResult(tx -> {
			try (Stream<WorkChunk> chunks = persistence.fetchAllWorkChunksForStepStream(job.id(), WRITE_STEP_OUTPUT)) {
				chunks.forEach(chunk -> {
					if (chunk.getData() != null) {
						ChunkResult result = chunk.getData(ChunkResult.class);
						bySequence.putIfAbsent(result.sequence(), result);
					}
				});
			}
		});
		for (ChunkResult result : bySequence.values()) {
			result.files().forEach(f -> entries.add(new Entry(Kind.OUTPUT, f)));
			result.errorFiles().forEach(f -> entries.add(new Entry(Kind.ERROR, f)));
		}
		return entries;
	}

	private List<List<Entry>> fixedPages(String jobId) {
		List<List<Entry>> pages = new ArrayList<>();
		try {
			while (true) {
				Optional<InputStream> in = store.open(jobId, pageFileName(pages.size() + 1));
				if (in.isEmpty()) {
					return pages;
				}
				try (InputStream stream = in.get()) {
					pages.add(json.readValue(stream, ENTRIES));
				}
			}
		} catch (IOException e) {
			throw new UncheckedIOException(e);
		}
	}

	private void fix(String jobId, int number, List<Entry> entries) {
		try (OutputStream out = store.create(jobId, pageFileName(number))) {
			out.write(json.writeValueAsBytes(entries));
		} catch (IOException e) {
			throw new UncheckedIOException(e);
		}
	}

	private static Set<String> names(List<List<Entry>> pages) {
		Set<String> names = new HashSet<>();
		pages.forEach(page -> page.forEach(e -> names.add(e.getFile().getName())));
		return names;
	}
}
