"""A tiny framework for tests that need requirements but not the shipped catalogues."""

from chainward.library.models import Framework, Library, Requirement


def tiny_framework(code="tiny", hs_prefix="HS"):
    """Section 4 with clauses 4.1 (M) and 4.2 (sub-clauses 4.2.1, 4.2.2), section 5 with 5.1."""
    library = Library.objects.create(urn=f"urn:test:library:{code}", name=f"Tiny {code}",
                                     version=1, licence="test data", checksum="0" * 64)
    framework = Framework.objects.create(library=library, urn=f"urn:test:framework:{code}",
                                         ref_id=code.upper(), name=f"Tiny {code}")
    nodes = {}
    spec = [("4", None, False, ""), ("4.1", "4", True, "M"), ("4.2", "4", False, ""),
            ("4.2.1", "4.2", True, ""), ("4.2.2", "4.2", True, "R"), ("5", None, False, ""),
            ("5.1", "5", True, "")]
    for order, (ref, parent, assessable, documented) in enumerate(spec):
        parent_node = nodes.get(parent)
        node = Requirement.objects.create(
            framework=framework, urn=f"urn:test:req:{code}:{ref}", ref_id=ref,
            parent=parent_node, depth=ref.count(".") + 1, order=order, title=f"Clause {ref}",
            assessable=assessable, documented_information=documented,
            hs_id=f"{hs_prefix}-{ref}" if hs_prefix else "", tags=["core"] if ref == "5.1" else [])
        chain = [node]
        while chain[-1].parent is not None:
            chain.append(chain[-1].parent)
        chain.reverse()
        node.section, node.clause = chain[0], chain[1] if len(chain) > 1 else chain[0]
        node.save()
        nodes[ref] = node
    return framework
