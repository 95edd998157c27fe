package org.bulkfhir.read;

import ca.uhn.fhir.context.FhirContext;
import org.hl7.fhir.r4.model.BooleanType;
import org.hl7.fhir.r4.model.Extension;
import org.hl7.fhir.r4.model.Group;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Period;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.StringType;
import org.junit.jupiter.api.Test;

import java.util.Date;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The members read from a Group's JSON are those HAPI's model gives, in the same order. */
class GroupMembersTest {

	private static final FhirContext FHIR = FhirContext.forR4Cached();

	@Test
	void streamedMembersEqualThoseOfHapisModel() {
		Group group = new Group();
		group.setType(Group.GroupType.PERSON).setActual(true).setName("members of every shape");
		group.addCharacteristic().setExclude(false).getCode().setText("member.entity in text: Patient/not-a-member");
		group.addExtension(new Extension("http://example.org/member", new StringType("Patient/ext")));
		group.addMember().setEntity(new Reference("Patient/p1"));
		group.addMember().setEntity(new Reference("Patient/p2")).setInactive(true);
		group.addMember().setEntity(new Reference("Patient/p3")).setInactive(false)
				.setPeriod(new Period().setStart(new Date(0)));
		group.addMember().setEntity(new Reference("http://ehr.example/fhir/Patient/p4"));
		group.addMember().setEntity(new Reference("Patient/p5/_history/2"));
		group.addMember().setEntity(new Reference("Practitioner/pr1"));
		group.addMember().setEntity(new Reference("#contained"));
		group.addMember().setEntity(new Reference().setIdentifier(new Identifier().setValue("mrn-1")));
		group.addMember().setEntity(new Reference().setDisplay("display only"));
		group.addMember().setEntity(new Reference("Patient/p1"));
		group.addMember().setEntity(new Reference("Patient/p6").setDisplay("Six"))
				.addExtension(new Extension("http://example.org/x", new Reference("Patient/ext2")));
		BooleanType inactiveByExtensionOnly = new BooleanType();
		inactiveByExtensionOnly.addExtension(new Extension("http://example.org/why", new StringType("unknown")));
		group.addMember().setEntity(new Reference("Patient/p7")).setInactiveElement(inactiveByExtensionOnly);
		group.addMember().setEntity(new Reference("Patient/p8")).setInactive(true).setInactiveElement(new BooleanType(true));
		String json = FHIR.newJsonParser().encodeResourceToString(group);

		Group parsed = FHIR.newJsonParser().parseResource(Group.class, json);
		assertThat(GroupMembers.activePatientIds(json))
				.containsExactlyElementsOf(GroupMembers.activePatientIds(parsed))
				.containsExactly("p1", "p3", "p4", "p5", "p6", "p7");
	}

	@Test
	void aGroupWithoutMembersHasNone() {
		assertThat(GroupMembers.activePatientIds("{\"resourceType\":\"Group\",\"type\":\"person\",\"actual\":true}"))
				.isEmpty();
		assertThat(GroupMembers.activePatientIds("{\"resourceType\":\"Group\",\"member\":[]}")).isEmpty();
	}

	@Test
	void textThatIsNotAnObjectIsRefused() {
		assertThatThrownBy(() -> GroupMembers.activePatientIds("[]")).isInstanceOf(IllegalArgumentException.class);
	}
}
